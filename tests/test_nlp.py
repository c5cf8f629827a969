"""The spaCy pipeline: whitespace-exact tokens, span groups aligned with the text."""
from __future__ import annotations

import pytest

from extractors.nlp import analyse, get_nlp
from extractors.words import person_names, pos_tags, segment


@pytest.mark.parametrize("text,tokens", [
    ("Quyết định số 1696/QĐ-TTg ngày 02/7/2015", ["Quyết", "định", "số", "1696/QĐ-TTg", "ngày", "02/7/2015"]),
    ("Nghị quyết 11-NQ/TW; 30/2020/NĐ-CP", ["Nghị", "quyết", "11-NQ/TW", ";", "30/2020/NĐ-CP"]),
    ("Sở LĐ-TB&XH: a)", ["Sở", "LĐ", "-", "TB&XH", ":", "a", ")"]),
    ("ngày 22/72016", ["ngày", "22/72016"]),
])
def test_tokenizer_keeps_symbols_and_dates_whole(text, tokens):
    assert [t.text for t in get_nlp().make_doc(text)] == tokens


@pytest.mark.parametrize("text", ["", " ", "a  b\n\n\tc  ", "\n1. Sở Tư pháp:\t\tx \n", "ngày 10/6 "])
def test_tokenizer_round_trips_any_whitespace(text):
    assert get_nlp().make_doc(text).text == text


def test_components_write_aligned_spans():
    text = ("Căn cứ Quyết định số 1696/QĐ-TTg ngày 02/7/2015 của Thủ tướng Chính phủ; "
            "Sở Lao động - Thương binh và Xã hội chủ trì, báo cáo trước ngày 10/6.")
    doc = analyse(text, year=2020)
    assert get_nlp().pipe_names == ["vanban_dates", "vanban_agencies", "vanban_references"]
    ref = doc.spans["references"][0]._.reference
    assert (ref.symbol, ref.date, ref.issuer) == ("1696/QĐ-TTg", "2015-07-02", "Thủ tướng Chính phủ")
    assert text[ref.start:ref.end] == ref.text
    values = [s._.date.value for s in doc.spans["dates"]]
    assert values == ["2015-07-02", "2020-06-10"]
    names = [s._.agency.canonical for s in doc.spans["agencies"]]
    assert "Sở Lao động - Thương binh và Xã hội" in names
    for group in ("dates", "agencies", "references"):
        for span in doc.spans[group]:
            fact = span._.get({"dates": "date", "agencies": "agency", "references": "reference"}[group])
            assert span.start_char <= fact.start and fact.end <= span.end_char


def test_underthesea_runs_offline():
    words = segment("Sở Lao động - Thương binh và Xã hội chủ trì, phối hợp với Sở Nội vụ",
                    fixed_words=["Sở Lao động - Thương binh và Xã hội", "Sở Nội vụ"])
    assert "Sở Lao động - Thương binh và Xã hội" in words and "Sở Nội vụ" in words
    assert ("tổ chức", "V") in pos_tags("Sở Nội vụ tổ chức tập huấn")
    assert person_names("Phó Chủ tịch Lương Văn Cầu ký") == ["Lương Văn Cầu"]


def test_pipeline_takes_any_text_the_readers_take():
    """spaCy's default cap (1M characters, for parser and NER memory) would refuse a 2 MB
    paragraph; this pipeline has neither, and the readers bound the text themselves."""
    from pipeline.document.limits import Limits

    assert get_nlp().max_length >= Limits().max_text_mb * 1_000_000


def test_underthesea_is_called_on_bounded_pieces(tmp_path, monkeypatch):
    """POS tagging and NER grow faster than their input: the extractors hand them a few
    words (an item's first 12, a signature line of at most 60 characters), however long
    the paragraph they come from."""
    import extractors.duties_outline as outline
    import extractors.metadata_signature as signature
    from extractors import extract_json
    from pipeline.readers import read_document

    sizes: dict[str, list[int]] = {"pos_tags": [], "person_names": []}

    def recording(real):
        def call(text):
            sizes[real.__name__].append(len(text))
            return real(text)
        return call

    monkeypatch.setattr(outline, "pos_tags", recording(outline.pos_tags))
    monkeypatch.setattr(signature, "person_names", recording(signature.person_names))
    body = ("hồ sơ tồn đọng của người dân và doanh nghiệp trên địa bàn tỉnh năm 2021 và "
            "những năm tiếp theo, " * 3000)  # 300 KB, one paragraph
    assert vars(outline)["_is_action"]("Hồ sơ tồn đọng, " + body) is False  # an item's test
    p = tmp_path / "long.txt"
    p.write_text("KẾ HOẠCH\nTuyên truyền\nI. NHIỆM VỤ\n1. Sở Y tế: " + body
                 + "\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n(Đã ký) ông Lương Văn Cầu ký thay\n", "utf-8")
    extract_json(read_document(p))
    assert sizes["pos_tags"] and sizes["person_names"], sizes
    assert max(sizes["pos_tags"] + sizes["person_names"]) <= 200, sizes
