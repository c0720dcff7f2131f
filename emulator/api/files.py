"""getFile and the files the bot sends: uploads, URLs, known file ids, image sizes."""

import struct

from emulator.limits import MAX_DOWNLOAD_BYTES
from emulator.params import Params
from emulator.records import SentFile, UploadedFile
from emulator.state import EmulatorState
from emulator.wire import JSONDict, bad_request


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF or JPEG image, None if not recognisable."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in {b"GIF87a", b"GIF89a"} and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        pos = 2
        while pos + 9 <= len(data):
            if data[pos] != 0xFF:
                return None
            marker = data[pos + 1]
            if marker in {0xD8, 0x01} or 0xD0 <= marker <= 0xD7:
                pos += 2
                continue
            (segment_length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
            # SOF0..SOF15 carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) do not.
            if 0xC0 <= marker <= 0xCF and marker not in {0xC4, 0xC8, 0xCC}:
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                return int(width), int(height)
            pos += 2 + int(segment_length)
    return None


class FilesApi(EmulatorState):
    """getFile, and how a send's file parameter becomes a stored file."""

    async def _get_file(self, p: Params) -> JSONDict:
        stored = self._files.get(p.opt_str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    def _input_file(self, p: Params, name: str, folder: str) -> SentFile:
        value = p.raw(name)
        if isinstance(value, UploadedFile):
            return self._store_file(folder, value.filename, value.content_type, value.data)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            stored = self._store_file(folder, value.rsplit("/", 1)[-1] or None, None, None)
            stored.url = value
            return stored
        if isinstance(value, str) and value:
            known = self._files.get(value)
            if known is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            return known
        raise bad_request(f"there is no {name} in the request")
