"""QR codes of the window cards, read back by a small decoder written here (no QR reader is installed,
and zbar is not wanted): it takes the inline SVG as the page shows it, rebuilds the module grid from the
path, reads format information, unmasks, de-interleaves, checks every block's Reed–Solomon codewords
and decodes the segments. Versions 1–10 (URLs up to about 200 characters) are enough for the cards."""
from __future__ import annotations

import re

import pytest
import segno

from portal import qr
from portal.audit import write
from portal.models import Setting

# --- a QR decoder (ISO/IEC 18004), independent of the encoder ------------------------------------

LEVELS = {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}
# Per version and level: (number of blocks, data codewords per block) for each block group.
BLOCKS = {
    1: {"L": [(1, 19)], "M": [(1, 16)], "Q": [(1, 13)], "H": [(1, 9)]},
    2: {"L": [(1, 34)], "M": [(1, 28)], "Q": [(1, 22)], "H": [(1, 16)]},
    3: {"L": [(1, 55)], "M": [(1, 44)], "Q": [(2, 17)], "H": [(2, 13)]},
    4: {"L": [(1, 80)], "M": [(2, 32)], "Q": [(2, 24)], "H": [(4, 9)]},
    5: {"L": [(1, 108)], "M": [(2, 43)], "Q": [(2, 15), (2, 16)], "H": [(2, 11), (2, 12)]},
    6: {"L": [(2, 68)], "M": [(4, 27)], "Q": [(4, 19)], "H": [(4, 15)]},
    7: {"L": [(2, 78)], "M": [(4, 31)], "Q": [(2, 14), (4, 15)], "H": [(4, 13), (1, 14)]},
    8: {"L": [(2, 97)], "M": [(2, 38), (2, 39)], "Q": [(4, 18), (2, 19)], "H": [(4, 14), (2, 15)]},
    9: {"L": [(2, 116)], "M": [(3, 36), (2, 37)], "Q": [(4, 16), (4, 17)], "H": [(4, 12), (4, 13)]},
    10: {"L": [(2, 68), (2, 69)], "M": [(4, 43), (1, 44)], "Q": [(6, 19), (2, 20)], "H": [(6, 15), (2, 16)]},
}
TOTAL_CODEWORDS = {1: 26, 2: 44, 3: 70, 4: 100, 5: 134, 6: 172, 7: 196, 8: 242, 9: 292, 10: 346}
ALIGNMENT = {1: (), 2: (6, 18), 3: (6, 22), 4: (6, 26), 5: (6, 30), 6: (6, 34), 7: (6, 22, 38), 8: (6, 24, 42),
             9: (6, 26, 46), 10: (6, 28, 50)}
MASKS = [
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
]
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def _gf_mul(x: int, y: int) -> int:
    z = 0
    for i in reversed(range(8)):
        z = (z << 1) ^ ((z >> 7) * 0x11D)
        z ^= ((y >> i) & 1) * x
    return z


def _rs_ec(data: list[int], degree: int) -> list[int]:
    """Reed–Solomon error-correction codewords of a data block (generator with roots α^0 … α^(d-1))."""
    divisor = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            divisor[j] = _gf_mul(divisor[j], root)
            if j + 1 < degree:
                divisor[j] ^= divisor[j + 1]
        root = _gf_mul(root, 2)
    result = [0] * degree
    for b in data:
        factor = b ^ result.pop(0)
        result.append(0)
        for i, coef in enumerate(divisor):
            result[i] ^= _gf_mul(coef, factor)
    return result


def _format_codes() -> dict[int, tuple[str, int]]:
    """The 32 valid 15-bit format words → (level, mask)."""
    out = {}
    for ec_bits, level in LEVELS.items():
        for mask in range(8):
            data = ec_bits << 3 | mask
            rem = data
            for _ in range(10):
                rem = (rem << 1) ^ ((rem >> 9) * 0x537)
            out[(data << 10 | rem) ^ 0x5412] = (level, mask)
    return out


def _function_modules(n: int, version: int) -> list[list[bool]]:
    f = [[False] * n for _ in range(n)]

    def box(r0, c0, h, w):
        for r in range(max(r0, 0), min(r0 + h, n)):
            for c in range(max(c0, 0), min(c0 + w, n)):
                f[r][c] = True

    box(0, 0, 9, 9)  # finder, separator and format information
    box(0, n - 8, 9, 8)
    box(n - 8, 0, 8, 9)
    box(6, 0, 1, n)  # timing patterns
    box(0, 6, n, 1)
    pos = ALIGNMENT[version]
    last = len(pos) - 1
    for a, r in enumerate(pos):
        for b, c in enumerate(pos):
            if (a, b) in ((0, 0), (0, last), (last, 0)):
                continue
            box(r - 2, c - 2, 5, 5)
    if version >= 7:
        box(0, n - 11, 6, 3)
        box(n - 11, 0, 3, 6)
    return f


def decode_matrix(m: list[list[int]]) -> str:
    """The text of a QR symbol given as its module grid (1 = dark, no quiet zone)."""
    n = len(m)
    version = (n - 17) // 4
    assert n == 17 + 4 * version and version in BLOCKS, f"unsupported size {n}"
    word = 0
    for i in range(6):
        word |= m[i][8] << i
    word |= m[7][8] << 6 | m[8][8] << 7 | m[8][7] << 8
    for i in range(9, 15):
        word |= m[8][14 - i] << i
    level, mask = _format_codes()[word]  # KeyError: damaged format information
    func = _function_modules(n, version)
    bits = []
    col, upward = n - 1, True
    while col > 0:
        if col == 6:
            col -= 1
        for r in (range(n - 1, -1, -1) if upward else range(n)):
            for c in (col, col - 1):
                if not func[r][c]:
                    bits.append(m[r][c] ^ (1 if MASKS[mask](r, c) else 0))
        upward = not upward
        col -= 2
    codewords = [int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, TOTAL_CODEWORDS[version] * 8, 8)]
    sizes = [k for count, k in BLOCKS[version][level] for _ in range(count)]
    ec_len = (TOTAL_CODEWORDS[version] - sum(sizes)) // len(sizes)
    blocks = [[] for _ in sizes]
    it = iter(codewords)
    for i in range(max(sizes)):
        for b, size in enumerate(sizes):
            if i < size:
                blocks[b].append(next(it))
    ecs = [[] for _ in sizes]
    for _ in range(ec_len):
        for b in range(len(sizes)):
            ecs[b].append(next(it))
    for data, ec in zip(blocks, ecs):
        assert _rs_ec(data, ec_len) == ec, "error-correction codewords do not match the data"
    stream = "".join(f"{b:08b}" for block in blocks for b in block)
    pos = 0

    def read(k):
        nonlocal pos
        value = int(stream[pos:pos + k], 2)
        pos += k
        return value

    out = bytearray()
    while pos + 4 <= len(stream):
        mode = read(4)
        if mode == 0:
            break
        if mode == 0b0111:  # ECI designator (one byte is enough for UTF-8 = 26)
            read(8)
        elif mode == 0b0100:
            out += bytes(read(8) for _ in range(read(8 if version < 10 else 16)))
        elif mode == 0b0001:
            count = read(10 if version < 10 else 12)
            digits = ""
            while count >= 3:
                digits += f"{read(10):03d}"
                count -= 3
            if count == 2:
                digits += f"{read(7):02d}"
            elif count == 1:
                digits += str(read(4))
            out += digits.encode()
        elif mode == 0b0010:
            count = read(9 if version < 10 else 11)
            chars = ""
            while count >= 2:
                v = read(11)
                chars += ALNUM[v // 45] + ALNUM[v % 45]
                count -= 2
            if count:
                chars += ALNUM[read(6)]
            out += chars.encode()
        else:
            raise AssertionError(f"unsupported mode {mode:04b}")
    return out.decode("utf-8")


_SVG = re.compile(r"<svg\b[^>]*>.*?</svg>", re.S)


def svg_matrix(svg: str) -> list[list[int]]:
    """The module grid drawn by a segno SVG path (horizontal strokes of one module's height)."""
    d = re.search(r'<path[^>]*\sd="([^"]+)"', svg).group(1)
    dark = set()
    x = y = 0.0
    for cmd, a, b in re.findall(r"([MmHh])(-?[\d.]+)(?:\s(-?[\d.]+))?", d):
        a = float(a)
        if cmd == "M":
            x, y = a, float(b)
        elif cmd == "m":
            x, y = x + a, y + float(b)
        elif cmd == "h":
            for k in range(int(a)):
                dark.add((int(y), int(x) + k))
            x += a
        else:
            raise AssertionError(f"unexpected path command {cmd}")
    r0 = min(r for r, _ in dark)
    c0 = min(c for _, c in dark)
    n = max(r for r, _ in dark) - r0 + 1
    return [[1 if (r0 + r, c0 + c) in dark else 0 for c in range(n)] for r in range(n)]


def qr_codes_in(html: str) -> list[tuple[str, str]]:
    """(title, decoded text) of every QR code SVG in a page."""
    out = []
    for svg in _SVG.findall(html):
        if 'class="qr-code"' not in svg:
            continue
        title = re.search(r"<title>(.*?)</title>", svg, re.S)
        out.append((title.group(1) if title else "", decode_matrix(svg_matrix(svg))))
    return out


# --- the decoder itself ----------------------------------------------------------------------------


@pytest.mark.parametrize("text, error", [
    ("http://127.0.0.1:5000/public/officers/1", "m"),
    ("https://zwfw.chibi.gov.cn/public/evaluate/zrj", "l"),
    ("https://zwfw.chibi.gov.cn/public/officers/123456", "q"),
    ("https://zwfw.chibi.gov.cn/shouxi/public/evaluate/" + "x" * 120, "m"),  # version 8, two block groups
    ("12345678901234567890", "h"),  # numeric mode
    ("HTTPS://ZWFW.CHIBI.GOV.CN/A", "m"),  # alphanumeric mode
    ("赤壁市公安局", "m"),  # UTF-8 bytes
])
def test_decoder_reads_what_segno_writes(text, error):
    # UTF-8 bytes for Chinese: segno would otherwise pick Kanji mode or Shift JIS, which URLs never need.
    extra = {} if text.isascii() else {"mode": "byte", "encoding": "utf-8"}
    code = segno.make_qr(text, error=error, boost_error=False, **extra)
    assert decode_matrix([list(row) for row in code.matrix]) == text
    # …and from the SVG path, as a page shows it.
    assert decode_matrix(svg_matrix(code.svg_inline(scale=1, omitsize=True))) == text


def test_decoder_refuses_a_damaged_symbol():
    code = segno.make_qr("https://zwfw.chibi.gov.cn/public/officers/7", error="m", boost_error=False)
    m = [list(row) for row in code.matrix]
    m[20][20] ^= 1  # one data module flipped: the block's error-correction words no longer match
    m[21][20] ^= 1
    with pytest.raises(AssertionError):
        decode_matrix(m)


# --- the portal's QR codes ---------------------------------------------------------------------------


def test_svg_is_inline_safe_and_decodes_to_the_url(app):
    with app.test_request_context():
        url = "https://zwfw.chibi.gov.cn/public/officers/42"
        svg = str(qr.svg(url, "扫码 <查看>"))
    assert "style" not in svg and "<script" not in svg and "data:" not in svg
    assert 'viewBox="0 0' in svg and 'class="qr-code"' in svg
    assert "<title>扫码 &lt;查看&gt;</title>" in svg  # escaped accessible name
    assert qr_codes_in(svg) == [("扫码 &lt;查看&gt;", url)]
    # The encoder's own matrix agrees with what the page draws.
    with app.test_request_context():
        assert svg_matrix(svg) == qr.matrix(url)


def test_public_base_url_comes_from_the_setting_when_filled_in(app):
    app.config["PUBLIC_BASE_URL"] = "http://intranet.example:5000/"
    with app.test_request_context():
        assert qr.public_base_url() == "http://intranet.example:5000"
        with write(username="test"):
            Setting.set_value("public_base_url", "https://zwfw.chibi.gov.cn/")
        assert qr.public_base_url() == "https://zwfw.chibi.gov.cn"
        assert qr.officer_url(7) == "https://zwfw.chibi.gov.cn/public/officers/7"
        assert qr.evaluate_url("gaj") == "https://zwfw.chibi.gov.cn/public/evaluate/gaj"
        with write(username="test"):
            Setting.set_value("public_base_url", "")  # emptied: back to the deployment's setting
        assert qr.officer_url(7) == "http://intranet.example:5000/public/officers/7"


def test_without_a_setting_the_base_url_is_the_requests_own_host(app):
    """Right by default (issue 17 §7): whatever the port, and behind a proxy the host it was asked for."""
    app.config["PUBLIC_BASE_URL"] = ""
    with app.test_request_context("/", base_url="http://10.20.0.5:8080"):
        assert qr.public_base_url() == "http://10.20.0.5:8080"
        assert qr.officer_url(7) == "http://10.20.0.5:8080/public/officers/7"
    assert qr.is_loopback("http://127.0.0.1:5000") and qr.is_loopback("http://localhost:8000")
    assert qr.is_loopback("http://[::1]:5000") and not qr.is_loopback("https://zwfw.chibi.gov.cn")
    assert not qr.is_loopback("http://10.20.0.5:8080")  # an intranet address reaches the hall's phones on Wi-Fi


def test_behind_trusted_proxies_the_base_url_is_the_public_host(tmp_path):
    from tests.conftest import make_app
    proxied = make_app(tmp_path, TRUSTED_PROXIES=1, PUBLIC_BASE_URL="")
    feed = proxied.test_client().get("/public/feed/officers.json", headers={
        "X-Forwarded-Host": "zwfw.chibi.gov.cn", "X-Forwarded-Proto": "https"}).get_json()
    assert feed["source"] == "https://zwfw.chibi.gov.cn"
    # Without the proxy's word, the host the request reached.
    assert proxied.test_client().get("/public/feed/officers.json",
                                     base_url="http://10.20.0.5:8080").get_json()["source"] == "http://10.20.0.5:8080"
