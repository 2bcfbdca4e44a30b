#!/usr/bin/env python3
"""Makes the photo test fixtures in fran-core/src/test/resources/photos (run with /usr/bin/python3,
which has Pillow). astronaut.jpg: ../shared/photos/astronaut.png re-encoded as JPEG quality 90 to
keep the repository small. cmyk.jpg: a 32x24 CMYK JPEG (the JDK cannot decode those).
grace_hopper_512x512.jpg is copied unchanged from ../shared/photos."""
import os
import shutil
from PIL import Image

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
shared = os.path.join(root, "..", "shared", "photos")
out = os.path.join(root, "fran-core", "src", "test", "resources", "photos")
os.makedirs(out, exist_ok=True)
Image.open(os.path.join(shared, "astronaut.png")).convert("RGB").save(
    os.path.join(out, "astronaut.jpg"), quality=90)
shutil.copyfile(os.path.join(shared, "grace_hopper_512x512.jpg"),
                os.path.join(out, "grace_hopper_512x512.jpg"))
Image.new("CMYK", (32, 24), (0, 128, 255, 0)).save(os.path.join(out, "cmyk.jpg"), quality=90)
