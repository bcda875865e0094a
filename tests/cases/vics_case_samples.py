"""Hypothesis strategies for VICS case files: arbitrary JSON, and case-shaped documents."""

from __future__ import annotations

from hypothesis import strategies as st

FIELDS = ["MediaID", "MD5", "SHA1", "PhotoDNA", "MediaSize", "MimeType", "Series",
          "VictimIdentified", "OffenderIdentified", "MediaFiles", "RelativeFilePath", "Exifs",
          "AlternativeHashes", "Category", "Tags"]
ROW_NAMES = ["Make", "Model", "BodySerialNumber", "DateTimeOriginal", "OffsetTimeOriginal",
             "GPSLatitude", "GPSLatitudeRef", "GPSLongitude", "GPSLongitudeRef", "GPSAltitude",
             "GPSAltitudeRef", "GPSDateStamp", "GPSTimeStamp", "Flash"]

scalars = (st.none() | st.booleans() | st.integers() | st.text(max_size=12)
           | st.floats(allow_nan=False, allow_infinity=False))
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), children, max_size=5),
    max_leaves=25,
)
hexes = st.sampled_from([32, 40, 64]).flatmap(
    lambda n: st.text("0123456789abcdefABCDEF", min_size=n, max_size=n))
rows = st.lists(st.fixed_dictionaries({
    "PropertyName": st.sampled_from(ROW_NAMES),
    "PropertyValue": st.sampled_from(["N", "S", "1", "50.85", "52 22 30.5", "2024:05:01",
                                      "2024:05:01 10:00:00", "+02:00", "12:30:05.5", "x"])
    | scalars,
}), max_size=6)
alternatives = st.lists(st.fixed_dictionaries(
    {"HashName": st.sampled_from(["PDQ", "SHA256", "MD5", "vpdq", "TMK", "Vendor", ""])
     | scalars},
    optional={"HashValue": hexes | scalars, "Quality": st.integers(-5, 105) | scalars},
), max_size=3)
media = st.fixed_dictionaries({}, optional={
    "MD5": hexes | scalars, "SHA1": hexes | scalars, "PhotoDNA": scalars,
    "MediaSize": scalars, "MimeType": st.sampled_from(["image/jpeg", "video/mp4"]) | scalars,
    "Series": scalars | st.lists(scalars, max_size=3),
    "VictimIdentified": st.sampled_from(["true", "False", 1, 0, None]) | scalars,
    "MediaFiles": st.lists(st.fixed_dictionaries({}, optional={
        "FileName": st.sampled_from(["a.jpg", "b.mp4"]) | scalars,
        "FilePath": st.sampled_from(["/x", "C:\\y", "/x/a.jpg"]) | scalars,
    }) | scalars, max_size=3) | scalars,
    "Exifs": rows | json_values, "AlternativeHashes": alternatives | json_values,
    "Other": json_values,
})
#: Records that mostly import: a valid MD5, and every other field plausible.
good_media = st.fixed_dictionaries(
    {"MD5": st.text("0123456789abcdef", min_size=32, max_size=32)},
    optional={
        "MediaSize": st.integers(0, 10**9), "MimeType": st.sampled_from(["image/png", "x/y"]),
        "Series": st.sampled_from(["s1", "s2", ["s1", "s3"], None, ""]),
        "VictimIdentified": st.sampled_from([True, "true", "0", None]),
        "MediaFiles": st.lists(st.fixed_dictionaries({
            "FileName": st.sampled_from(["a.jpg", "b.mp4", "c"]),
            "FilePath": st.sampled_from(["/x", "C:\\y", "/x/a.jpg", ""]),
        }), max_size=2),
        "Exifs": rows, "Other": json_values,
        "AlternativeHashes": st.lists(st.fixed_dictionaries({
            "HashName": st.sampled_from(["PDQ", "Vendor"]),
            "HashValue": st.just("ab" * 32), "Quality": st.integers(0, 100)}), max_size=1),
    },
)
documents = st.fixed_dictionaries({"value": st.lists(
    st.fixed_dictionaries({"Media": st.lists(media | good_media, max_size=4)}) | media
    | good_media, max_size=3)},
    optional={"@odata.context": st.text(max_size=20)})
