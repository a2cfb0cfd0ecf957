"""Generation metadata in the files Studio and other tools write.

One entry point, ``read_file_metadata(path) -> FileMetadata``; each format has its
own module (``a1111``, ``comfyui``, ``invokeai``, ``novelai``, ``fooocus``,
``swarmui``, ``drawthings``, ``easydiffusion``, ``studio_format``), the containers
are walked in ``containers`` and ``exif``, stealth pixel info is in ``stealth``.
"""

from studio.app.metadata.model import FileMetadata, LoraRef, NoMetadata
from studio.app.metadata.reader import read_file_metadata

__all__ = ["FileMetadata", "LoraRef", "NoMetadata", "read_file_metadata"]
