"""Names and constants of NCMEC hash-sharing XML v2, shared by its reader and writer."""

from __future__ import annotations

import re

NAMESPACE = "https://hashsharing.ncmec.org/hashsharing/v2"
SCHEME = "ncmec"
#: The industry classification NCMEC hash sharing uses (A1 prepubescent sex act ... B2).
CLASSIFICATIONS = frozenset({"A1", "A2", "B1", "B2"})
#: NCMEC fingerprint element -> hashwarden signal type.
FINGERPRINTS = {
    "md5": "md5",
    "sha1": "sha1",
    "pdna": "photodna",
    "pdq": "pdq",
    "tmk-pdqf": "tmk_pdqf",
}
ELEMENT_OF = {signal: element for element, signal in FINGERPRINTS.items()}
XML_NS = "http://www.w3.org/XML/1998/namespace"
#: Names export writes back: ASCII (as NCMEC's), optionally in a namespace other than xmlns's.
EXPORTABLE_NAME = re.compile(
    r"(?:\{(?!http://www\.w3\.org/2000/xmlns/\})[^{}\s]+\})?[A-Za-z_][\w.\-]*", re.ASCII
)
#: Characters XML 1.0 cannot carry even as references; export replaces them with U+FFFD.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: Entry children hashwarden maps to its own fields (the rest is kept in attributes).
FIELDS = frozenset({"id", "member", "timestamp", "classification", "fingerprints"})
#: Deepest nesting kept inside one entry.
MAX_DEPTH = 32
#: Characters read from or copied to a stream at a time.
CHUNK = 1 << 16
