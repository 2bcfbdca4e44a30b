#!/usr/bin/env python3
"""Writes the safetensors fixtures for SafeTensorsTest, independently of the Java code.

Uses only the standard library (struct, json, fractions): no torch, no safetensors package.
The layout follows the safetensors reference writer: an 8-byte little-endian header length,
compact JSON with "__metadata__" first, tensors stored back to back in header order, and the
header padded with spaces to a multiple of 8 bytes.

For every fixture it also writes <name>.expected.json with each tensor's dtype, shape and
values as float32 bit patterns (floating tensors) or decimal strings (int64 tensors), decoded
here by struct, so the Java reader is checked against an independent decoder, and the Java
writer must reproduce the fixture's bytes exactly.

Run from the repository root:  /usr/bin/python3 fran-core/src/test/python/make_safetensors_fixtures.py
"""
import json
import os
import struct
from fractions import Fraction

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "safetensors")


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def bf16_bits(x):
    """Rounds a float32 to bfloat16 to nearest, ties to even, by exact comparison."""
    bits = f32_bits(x)
    if (bits & 0x7F800000) == 0x7F800000 and (bits & 0x7FFFFF):
        return 0x7FC0  # canonical quiet NaN
    f = struct.unpack("<f", struct.pack("<I", bits))[0]
    if f in (float("inf"), float("-inf")):
        return bits >> 16
    lo = bits >> 16
    if (lo << 16) == bits:
        return lo
    hi = lo + 1
    def val(b):
        return struct.unpack("<f", struct.pack("<I", (b & 0xFFFF) << 16))[0]
    vlo, vhi = val(lo), val(hi)
    dlo = abs(Fraction(vlo) - Fraction(f))
    if vhi in (float("inf"), float("-inf")):
        # The step past the largest finite bf16 has the same width as the previous step.
        step = Fraction(vlo) - Fraction(val(lo - 1))
        dhi = abs(Fraction(vlo) + step - Fraction(f))
    else:
        dhi = abs(Fraction(vhi) - Fraction(f))
    if dlo < dhi:
        return lo
    if dhi < dlo:
        return hi & 0xFFFF
    return lo if lo % 2 == 0 else hi & 0xFFFF


def encode(dtype, values):
    """Returns (raw bytes, decoded float32 bits or int strings)."""
    if dtype == "F32":
        raw = b"".join(struct.pack("<f", v) for v in values)
        dec = [f32_bits(struct.unpack("<f", struct.pack("<f", v))[0]) for v in values]
    elif dtype == "F16":
        raw = b"".join(struct.pack("<e", v) for v in values)  # struct rounds half-even
        dec = [f32_bits(struct.unpack("<e", raw[2 * i:2 * i + 2])[0]) for i in range(len(values))]
    elif dtype == "BF16":
        raw = b"".join(struct.pack("<H", bf16_bits(v)) for v in values)
        dec = [struct.unpack("<H", raw[2 * i:2 * i + 2])[0] << 16 for i in range(len(values))]
    elif dtype == "I64":
        raw = b"".join(struct.pack("<q", v) for v in values)
        dec = [str(v) for v in values]
    else:
        raise ValueError(dtype)
    return raw, dec


def write_fixture(name, tensors, metadata):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    data = b""
    expected = {"metadata": metadata, "tensors": []}
    for tname, dtype, shape, values in tensors:
        raw, dec = encode(dtype, values)
        header[tname] = {"dtype": dtype, "shape": shape,
                         "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
        key = "longs" if dtype == "I64" else "float_bits"
        expected["tensors"].append({"name": tname, "dtype": dtype, "shape": shape, key: dec})
    hjson = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)
    blob = struct.pack("<Q", len(hjson)) + hjson + data
    with open(os.path.join(OUT, name + ".safetensors"), "wb") as f:
        f.write(blob)
    with open(os.path.join(OUT, name + ".expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write("\n")
    check(blob, expected)


def check(blob, expected):
    """Parses the blob back with this script's own reader, as a sanity check."""
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    assert header.get("__metadata__", {}) == expected["metadata"]
    names = [k for k in header if k != "__metadata__"]
    assert names == [t["name"] for t in expected["tensors"]]


def main():
    os.makedirs(OUT, exist_ok=True)
    third = 1.0 / 3.0
    inf, nan = float("inf"), float("nan")
    config = ('{"version":1,"in_channels":5,"out_channels":3,"base_width":4,"depth":2,'
              '"upsampling":"transposed","blur_pool":false,"training_resolution":16}')
    write_fixture(
        "mixed",
        [
            ("a.f32", "F32", [2, 3], [1.0, -2.5, third, 3.4028234663852886e38, 1e-40, -0.0]),
            # 1/3, the largest half, the smallest subnormal, the smallest normal, -inf, NaN,
            # -0, 0.1, and 65519 (just below the tie with infinity, rounds to 65504).
            ("b.f16", "F16", [9],
             [third, 65504.0, 2.0 ** -24, 2.0 ** -14, -inf, nan, -0.0, 0.1, 65519.0]),
            ("c.bf16", "BF16", [2, 3], [third, -3.0e38, inf, nan, 1.00390625, 1.01171875]),
            ("d.i64", "I64", [], [7]),
            ("e.i64", "I64", [3], [-1, 2 ** 62, -(2 ** 63)]),
            ("f.empty", "F32", [0, 3], []),
        ],
        {
            "fran.unet_config": config,
            "note": 'quote " backslash \\ newline \n tab \t accents é ü 日本 <tag> & = \'',
        },
    )
    write_fixture("no_metadata", [("w", "F32", [1], [0.5])], {})
    write_fixture("empty", [], {})


if __name__ == "__main__":
    main()
