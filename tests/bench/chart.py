#!/usr/bin/env python3
"""Draws ferry-bench's result as a PNG bar chart: rows/s of ferry against
MariaDB's own ceiling, fresh table and re-sync. Python's standard library
only (zlib + struct), with a built-in 5x7 pixel font.

usage: tests/bench/chart.py RESULT.json OUT.png
"""
import json, struct, sys, zlib

# 5x7 glyphs, one int per row, bit 4 = leftmost pixel.
FONT = {
    ' ': [0, 0, 0, 0, 0, 0, 0], '.': [0, 0, 0, 0, 0, 12, 12], ',': [0, 0, 0, 0, 12, 4, 8],
    ':': [0, 12, 12, 0, 12, 12, 0], '-': [0, 0, 0, 31, 0, 0, 0], '/': [1, 2, 2, 4, 8, 8, 16],
    '(': [2, 4, 8, 8, 8, 4, 2], ')': [8, 4, 2, 2, 2, 4, 8], '%': [24, 25, 2, 4, 8, 19, 3],
    '=': [0, 0, 31, 0, 31, 0, 0], 'x': [0, 0, 17, 10, 4, 10, 17],
    '0': [14, 17, 19, 21, 25, 17, 14], '1': [4, 12, 4, 4, 4, 4, 14], '2': [14, 17, 1, 2, 4, 8, 31],
    '3': [31, 2, 4, 2, 1, 17, 14], '4': [2, 6, 10, 18, 31, 2, 2], '5': [31, 16, 30, 1, 1, 17, 14],
    '6': [6, 8, 16, 30, 17, 17, 14], '7': [31, 1, 2, 4, 8, 8, 8], '8': [14, 17, 17, 14, 17, 17, 14],
    '9': [14, 17, 17, 15, 1, 2, 12],
    'A': [14, 17, 17, 31, 17, 17, 17], 'B': [30, 17, 17, 30, 17, 17, 30], 'C': [14, 17, 16, 16, 16, 17, 14],
    'D': [28, 18, 17, 17, 17, 18, 28], 'E': [31, 16, 16, 30, 16, 16, 31], 'F': [31, 16, 16, 30, 16, 16, 16],
    'G': [14, 17, 16, 23, 17, 17, 15], 'H': [17, 17, 17, 31, 17, 17, 17], 'I': [14, 4, 4, 4, 4, 4, 14],
    'J': [7, 2, 2, 2, 2, 18, 12], 'K': [17, 18, 20, 24, 20, 18, 17], 'L': [16, 16, 16, 16, 16, 16, 31],
    'M': [17, 27, 21, 21, 17, 17, 17], 'N': [17, 17, 25, 21, 19, 17, 17], 'O': [14, 17, 17, 17, 17, 17, 14],
    'P': [30, 17, 17, 30, 16, 16, 16], 'Q': [14, 17, 17, 17, 21, 18, 13], 'R': [30, 17, 17, 30, 20, 18, 17],
    'S': [15, 16, 16, 14, 1, 1, 30], 'T': [31, 4, 4, 4, 4, 4, 4], 'U': [17, 17, 17, 17, 17, 17, 14],
    'V': [17, 17, 17, 17, 17, 10, 4], 'W': [17, 17, 17, 21, 21, 21, 10], 'X': [17, 17, 10, 4, 10, 17, 17],
    'Y': [17, 17, 10, 4, 4, 4, 4], 'Z': [31, 1, 2, 4, 8, 16, 31],
}


class Canvas:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.px = bytearray(b'\xff' * (w * h * 3))

    def rect(self, x0, y0, x1, y1, rgb):
        for y in range(max(0, y0), min(self.h, y1)):
            row = y * self.w * 3
            for x in range(max(0, x0), min(self.w, x1)):
                self.px[row + x * 3:row + x * 3 + 3] = bytes(rgb)

    def text(self, x, y, s, scale=2, rgb=(0, 0, 0)):
        for ch in s.upper():
            for r, bits in enumerate(FONT.get(ch, FONT[' '])):
                for c in range(5):
                    if bits & (16 >> c):
                        self.rect(x + c * scale, y + r * scale, x + (c + 1) * scale, y + (r + 1) * scale, rgb)
            x += 6 * scale

    def png(self, path):
        raw = b''.join(b'\x00' + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3]) for y in range(self.h))
        def chunk(kind, data):
            return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
        with open(path, 'wb') as f:
            f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', self.w, self.h, 8, 2, 0, 0, 0))
                    + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


def main():
    result = json.load(open(sys.argv[1]))
    ceiling, ferry = result.get('ceiling', {}), result['ferry']
    bars = []
    if ceiling:
        bars += [('MARIADB BULK UPSERT', ceiling['bulk_upsert_fresh_rows_per_second'], (150, 150, 150)),
                 ('MARIADB LOAD DATA', ceiling['load_data_fresh']['rows_per_second'], (190, 190, 190))]
    bars.append(('FERRY, FRESH TABLE', ferry['fresh']['rows_per_second'], (40, 110, 200)))
    if ceiling:
        bars.append(('MARIADB BULK, RE-SYNC', ceiling['bulk_upsert_resync_rows_per_second'], (150, 150, 150)))
    bars.append(('FERRY, RE-SYNC', ferry['resync']['rows_per_second'], (40, 110, 200)))
    w, left, bar_h, gap, top = 900, 300, 34, 18, 60
    h = top + len(bars) * (bar_h + gap) + 40
    c = Canvas(w, h)
    c.text(20, 16, 'ROWS/S, %d RECORDS (GREY: MARIADB ITSELF, BLUE: FERRY)' % result['records'], 2)
    peak = max(v for _, v, _ in bars)
    for i, (label, value, rgb) in enumerate(bars):
        y = top + i * (bar_h + gap)
        c.text(20, y + 10, label, 2)
        length = int((w - left - 130) * value / peak)
        c.rect(left, y, left + length, y + bar_h, rgb)
        c.text(left + length + 8, y + 10, '%d' % round(value), 2)
    c.rect(left - 1, top - 6, left + 1, h - 30, (0, 0, 0))
    c.png(sys.argv[2])


if __name__ == '__main__':
    main()
