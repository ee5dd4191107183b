"""Cut a tall screenshot into parts the image viewer shows at full size:
`python scripts/crop.py out/x.png 900` → out/x.part1.png, …"""
import sys

from PIL import Image

path, height = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 900
image = Image.open(path)
for n, top in enumerate(range(0, image.height, height), 1):
    image.crop((0, top, image.width, min(top + height, image.height))).save(path.replace(".png", f".part{n}.png"))
    print(path.replace(".png", f".part{n}.png"))
