"""Member photos: JPEG, PNG or WebP judged by content, re-encoded to a small WebP data URI.

Re-encoding drops every byte of the upload but the pixels: EXIF (camera, GPS), ICC and XMP
metadata never reach the stored photo, and a file that only claims to be an image is refused.
"""

import base64
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from api.members.errors import PhotoTooLargeError, PhotoTypeError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 400
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
# Far above any camera's output; refuses decompression bombs before their pixels are decoded.
MAX_PIXELS = 60_000_000
WEBP_QUALITY = 85


def webp_data_uri(content: bytes) -> str:
    """The photo as `data:image/webp;base64,…`, at most 400x400; 400 LB-UPLD-001/002 otherwise."""
    if len(content) > MAX_BYTES:
        raise PhotoTooLargeError(size=len(content))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=sorted(ALLOWED_FORMATS)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise PhotoTypeError(reason="too_many_pixels")
                image.load()
                encoded = _reencoded(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoTypeError from None
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt image data
        raise PhotoTypeError(reason=type(exc).__name__) from None
    return "data:image/webp;base64," + base64.b64encode(encoded).decode("ascii")


def _reencoded(image: Image.Image) -> bytes:
    upright = ImageOps.exif_transpose(image)  # phones store rotation in EXIF, which is dropped
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    pixels = upright.convert("RGBA" if has_alpha else "RGB")
    pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    clean = Image.new(pixels.mode, pixels.size)  # a fresh image carries no metadata at all
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, format="WEBP", quality=WEBP_QUALITY)
    return out.getvalue()
