"""Detecting what an upload really is, and reading its text."""

from __future__ import annotations

import contextlib
import io
import random
import zipfile

import docx
import pypdf
import pytest

from services.domain.documents.text import (
    ACCEPTED_MEDIA_TYPES,
    DOCX,
    HTML,
    MARKDOWN,
    PDF,
    PLAIN_TEXT,
    detect_media_type,
    extract_text,
)
from services.domain.errors import Invalid, PayloadTooLarge, UnsupportedMediaType
from services.domain.heavy_work import HeavyLimits

# --- fixture files, built for real ---------------------------------------------------------


def make_docx(*, merged_header: bool = False) -> bytes:
    """A Word document: a heading, a paragraph, a 2x2 table, then a closing paragraph."""
    document = docx.Document()
    document.add_heading("Safeguarding Adults Policy", level=1)
    document.add_paragraph("Staff must report concerns the same day.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Role"
    table.cell(0, 1).text = "Contact"
    table.cell(1, 0).text = "Responsible officer"
    table.cell(1, 1).text = "J Smith"
    if merged_header:
        table.cell(0, 0).merge(table.cell(0, 1)).text = "Contacts"
    document.add_paragraph("Review due: March 2026.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF, written byte by byte with a correct xref; one text line per entry."""
    font = 3 + 2 * len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        font: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    for i, lines in enumerate(pages):
        page, contents = 3 + 2 * i, 4 + 2 * i
        objects[page] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {contents} 0 R >>"
        ).encode()
        shows = "".join(f"({line}) Tj T* " for line in lines)
        stream = f"BT /F1 12 Tf 14 TL 72 720 Td {shows}ET".encode() if lines else b""
        objects[contents] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number in range(1, font + 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (font + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (font + 1, xref)
    return bytes(out)


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def encrypt_pdf(pdf: bytes, *, user_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


POLICY_PDF = make_pdf([["Medication Policy", "Section 1 Scope"], ["Section 2 Storage"]])
POLICY_DOCX = make_docx()
RANDOM_BYTES = random.Random(7).randbytes(4096)

# --- detecting the media type ---------------------------------------------------------------


def test_accepted_media_types_are_exactly_the_five_formats() -> None:
    assert set(ACCEPTED_MEDIA_TYPES) == {DOCX, PDF, MARKDOWN, HTML, PLAIN_TEXT}


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("policy.docx", POLICY_DOCX, DOCX),
        ("policy.pdf", POLICY_PDF, PDF),
        ("policy.md", b"# Policy\n", MARKDOWN),
        ("policy.markdown", b"# Policy\n", MARKDOWN),
        ("policy.html", b"<p>Policy</p>", HTML),
        ("policy.htm", b"<p>Policy</p>", HTML),
        ("policy.txt", b"Policy", PLAIN_TEXT),
        ("POLICY.DOCX", POLICY_DOCX, DOCX),
    ],
)
def test_each_accepted_extension_maps_to_its_media_type(
    filename: str, content: bytes, expected: str
) -> None:
    assert detect_media_type(filename, content, "application/octet-stream") == expected


def test_pdf_bytes_named_docx_are_treated_as_pdf() -> None:
    assert detect_media_type("policy.docx", POLICY_PDF, DOCX) == PDF


def test_docx_bytes_named_pdf_are_treated_as_docx() -> None:
    assert detect_media_type("policy.pdf", POLICY_DOCX, PDF) == DOCX


def test_pdf_bytes_named_txt_are_treated_as_pdf() -> None:
    assert detect_media_type("policy.txt", POLICY_PDF, "text/plain") == PDF


def test_extension_outranks_a_wrong_declared_type_for_text() -> None:
    assert detect_media_type("policy.md", b"# Policy", "text/html") == MARKDOWN


def test_declared_type_with_parameters_is_used_when_the_name_has_no_extension() -> None:
    assert detect_media_type(None, b"# Policy", "Text/Markdown; charset=utf-8") == MARKDOWN


def test_a_version_number_in_the_name_is_not_an_extension() -> None:
    assert detect_media_type("Safeguarding policy v2.1", b"Policy", "text/html") == HTML


def test_text_with_no_name_and_no_useful_header_is_plain_text() -> None:
    assert detect_media_type(None, b"Policy text", "application/octet-stream") == PLAIN_TEXT


def test_html_with_no_name_and_no_header_is_recognised_by_its_doctype() -> None:
    assert detect_media_type(None, b"  <!DOCTYPE html><p>Policy</p>", None) == HTML


def test_a_windows_path_in_the_filename_still_yields_the_extension() -> None:
    assert detect_media_type(r"C:\fakepath\policy.md", b"# Policy", None) == MARKDOWN


def test_an_empty_file_is_invalid() -> None:
    with pytest.raises(Invalid, match="empty"):
        detect_media_type("policy.docx", b"", DOCX)


def test_an_executable_is_unsupported_and_the_message_lists_accepted_types() -> None:
    with pytest.raises(UnsupportedMediaType) as caught:
        detect_media_type("setup.exe", b"MZ\x90\x00" + RANDOM_BYTES, "application/x-msdownload")
    for label in ACCEPTED_MEDIA_TYPES.values():
        assert label in caught.value.detail
    assert caught.value.extra["accepted"] == list(ACCEPTED_MEDIA_TYPES)


def test_an_executable_renamed_to_pdf_is_unsupported() -> None:
    with pytest.raises(UnsupportedMediaType, match="program"):
        detect_media_type("policy.pdf", b"MZ\x90\x00" + RANDOM_BYTES, PDF)


def test_an_image_is_unsupported() -> None:
    png = b"\x89PNG\r\n\x1a\n" + RANDOM_BYTES
    with pytest.raises(UnsupportedMediaType, match="image"):
        detect_media_type("scan.png", png, "image/png")


def test_an_old_word_doc_is_unsupported_with_advice_to_save_as_docx() -> None:
    with pytest.raises(UnsupportedMediaType, match=r"save it as \.docx"):
        detect_media_type("policy.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + RANDOM_BYTES, None)


def test_a_zip_that_is_not_a_docx_is_unsupported() -> None:
    archive = make_zip({"minutes.txt": b"Board minutes"})
    with pytest.raises(UnsupportedMediaType, match="zip"):
        detect_media_type("minutes.zip", archive, "application/zip")


def test_a_zip_without_word_parts_named_docx_is_invalid() -> None:
    archive = make_zip({"minutes.txt": b"Board minutes"})
    with pytest.raises(Invalid, match="Word document"):
        detect_media_type("policy.docx", archive, DOCX)


def test_a_truncated_docx_is_invalid() -> None:
    with pytest.raises(Invalid, match="Word document"):
        detect_media_type("policy.docx", POLICY_DOCX[: len(POLICY_DOCX) // 2], DOCX)


def test_random_bytes_named_pdf_are_invalid_not_a_pdf() -> None:
    with pytest.raises(Invalid, match="claims to be PDF"):
        detect_media_type("policy.pdf", RANDOM_BYTES, PDF)


def test_random_bytes_with_an_unknown_extension_are_unsupported() -> None:
    with pytest.raises(UnsupportedMediaType, match=r"\.bin"):
        detect_media_type("blob.bin", RANDOM_BYTES, "application/octet-stream")


def test_random_bytes_with_no_name_or_type_are_unsupported() -> None:
    with pytest.raises(UnsupportedMediaType, match="could not recognise"):
        detect_media_type(None, RANDOM_BYTES, None)


def test_random_bytes_named_txt_are_not_utf8_text() -> None:
    with pytest.raises(Invalid, match="not UTF-8 text"):
        detect_media_type("policy.txt", RANDOM_BYTES, "text/plain")


def test_an_unaccepted_text_format_is_unsupported_even_if_it_decodes() -> None:
    with pytest.raises(UnsupportedMediaType, match=r"\.csv"):
        detect_media_type("staff.csv", b"name,role\nJ Smith,officer\n", "text/csv")


def test_an_unaccepted_declared_type_is_unsupported_when_the_name_says_nothing() -> None:
    with pytest.raises(UnsupportedMediaType, match="application/json"):
        detect_media_type(None, b'{"a": 1}', "application/json")


def test_windows_1252_text_is_not_utf8_text() -> None:
    content = "Caf\u00e9 policy \u2013 staff\u2019s duties".encode("cp1252")
    with pytest.raises(Invalid, match="not UTF-8 text"):
        detect_media_type("policy.txt", content, "text/plain")


def test_utf16_text_is_not_utf8_text() -> None:
    with pytest.raises(Invalid, match="not UTF-8 text"):
        detect_media_type("policy.txt", "Policy".encode("utf-16"), "text/plain")


def test_text_containing_nul_bytes_is_not_text() -> None:
    with pytest.raises(Invalid, match="NUL"):
        detect_media_type("policy.md", b"# Policy\x00\x00", MARKDOWN)


def test_utf8_text_with_a_bom_is_accepted() -> None:
    assert detect_media_type("policy.txt", b"\xef\xbb\xbfPolicy", None) == PLAIN_TEXT


# --- extracting text ------------------------------------------------------------------------


def test_docx_text_is_paragraphs_and_table_cells_in_document_order() -> None:
    assert extract_text(POLICY_DOCX, DOCX) == (
        "Safeguarding Adults Policy\n"
        "Staff must report concerns the same day.\n"
        "Role\nContact\nResponsible officer\nJ Smith\n"
        "Review due: March 2026."
    )


def test_a_merged_docx_table_cell_is_read_once() -> None:
    extracted = extract_text(make_docx(merged_header=True), DOCX)
    assert extracted.count("Contacts") == 1
    assert "Contacts\nResponsible officer\nJ Smith" in extracted


def test_a_docx_with_broken_xml_is_invalid() -> None:
    with zipfile.ZipFile(io.BytesIO(POLICY_DOCX)) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["word/document.xml"] = b"<w:document><unclosed"
    broken = make_zip(members)
    assert detect_media_type("policy.docx", broken, DOCX) == DOCX
    with pytest.raises(Invalid, match="damaged"):
        extract_text(broken, DOCX)


def test_a_docx_missing_its_content_types_part_is_invalid() -> None:
    broken = make_zip({"word/document.xml": b"<w:document/>"})
    with pytest.raises(Invalid, match="damaged"):
        extract_text(broken, DOCX)


def test_a_truncated_docx_cannot_be_extracted() -> None:
    with pytest.raises(Invalid, match="zip"):
        extract_text(POLICY_DOCX[:-200], DOCX)


def test_a_docx_that_unpacks_beyond_the_limit_is_too_large() -> None:
    with pytest.raises(PayloadTooLarge, match="unpacks to"):
        extract_text(POLICY_DOCX, DOCX, HeavyLimits(max_unpacked_bytes=1000))


def test_a_docx_compressed_beyond_the_ratio_is_a_zip_bomb() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/padding.xml", b" " * 5_000_000)  # packs to about 5 KB
    padded = buffer.getvalue()
    with pytest.raises(PayloadTooLarge, match="zip bomb"):
        extract_text(padded, DOCX, HeavyLimits(max_compression_ratio=100))


def test_pdf_text_comes_from_every_page() -> None:
    assert extract_text(POLICY_PDF, PDF) == (
        "Medication Policy\nSection 1 Scope\n\nSection 2 Storage"
    )


def test_a_pdf_with_no_text_gives_empty_text_not_an_error() -> None:
    assert extract_text(make_pdf([[]]), PDF) == ""


def test_a_truncated_pdf_is_invalid() -> None:
    truncated = POLICY_PDF[: len(POLICY_PDF) // 2]
    assert detect_media_type("policy.pdf", truncated, PDF) == PDF
    with pytest.raises(Invalid, match="PDF"):
        extract_text(truncated, PDF)


def test_a_pdf_with_only_an_owner_password_is_read() -> None:
    restricted = encrypt_pdf(POLICY_PDF, user_password="")
    assert extract_text(restricted, PDF).startswith("Medication Policy\n")


def test_a_password_protected_pdf_is_invalid() -> None:
    with pytest.raises(Invalid, match="password"):
        extract_text(encrypt_pdf(POLICY_PDF, user_password="secret"), PDF)


def test_html_gives_visible_text_with_entities_decoded_and_blocks_on_lines() -> None:
    markup = b"""<!DOCTYPE html><html><head><title>Tab title</title>
    <style>p { color: red; }</style><script>var x = "<p>hidden</p>";</script></head>
    <body><h1>Fire   Safety</h1><p>Fish&nbsp;&amp; chips &lt;daily&gt;,
    <b>bold</b> text</p><ul><li>One</li><li>Two<br>lines</li></ul>
    <table><tr><td>Officer</td><td>J&#39;s desk</td></tr></table></body></html>"""
    assert extract_text(markup, HTML) == (
        "Fire Safety\nFish\u00a0& chips <daily>, bold text\nOne\nTwo\nlines\nOfficer\nJ's desk"
    )


def test_markdown_is_its_own_text_with_unix_line_endings_and_tidy_blank_lines() -> None:
    content = b"# Policy  \r\n\r\n\r\n\r\nScope\t\r\n- item\rEnd\n\n"
    assert extract_text(content, MARKDOWN) == "# Policy\n\nScope\n- item\nEnd"


def test_plain_text_with_a_bom_loses_the_bom() -> None:
    assert extract_text(b"\xef\xbb\xbfPolicy\nLine two", PLAIN_TEXT) == "Policy\nLine two"


def test_extracting_non_utf8_plain_text_is_invalid() -> None:
    with pytest.raises(Invalid, match="not UTF-8 text"):
        extract_text("\u00a3100 fee".encode("cp1252"), "text/plain; charset=utf-8")


def test_extracting_an_unaccepted_type_is_unsupported() -> None:
    with pytest.raises(UnsupportedMediaType):
        extract_text(b"GIF89a", "image/gif")


@pytest.mark.parametrize(("original", "media_type"), [(POLICY_PDF, PDF), (POLICY_DOCX, DOCX)])
def test_a_corrupted_binary_file_gives_text_or_invalid_never_another_error(
    original: bytes, media_type: str
) -> None:
    rng = random.Random(media_type)
    for _ in range(40):
        damaged = bytearray(original)
        for _ in range(rng.randint(1, 20)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        # Any exception other than Invalid fails the test: it would be a 500.
        with contextlib.suppress(Invalid):
            extract_text(bytes(damaged), media_type)
