"""Text (``text``) and the page languages (``languages``): which keys a text may have, what a page in
a language it lacks shows, and how an untagged text is placed, all from ``templates/languages.yaml``."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from scorecard.errors import ScorecardError
from scorecard.languages import _read, page_languages
from scorecard.text import Text, require_written


def test_a_text_holds_the_languages_it_is_given_and_nothing_in_their_place():
    text = Text.model_validate({"zh": "较年轻的申请人", "en": "Young applicants"})
    assert (text.zh, text.get("en")) == ("较年轻的申请人", "Young applicants")
    only_en = Text.model_validate({"en": "Only English"})
    assert only_en.get("zh") == "" and only_en.zh == "" and only_en  # written in zh: never English instead
    assert not Text()


def test_an_untagged_text_is_placed_by_its_script():
    assert Text.model_validate("身份未验证。").model_extra == {"zh": "身份未验证。"}
    assert Text.model_validate(" Identity not verified. ").model_extra == {"en": "Identity not verified."}


def test_unknown_languages_and_odd_values_are_refused():
    with pytest.raises(ValidationError, match="'fr' is not a page language"):
        Text.model_validate({"zh": "x", "fr": "y"})
    with pytest.raises(ValidationError, match="write a description as"):
        Text.model_validate(5)


def test_profiles_need_every_written_language():
    assert require_written(Text.model_validate({"zh": "甲", "en": "a"}))
    with pytest.raises(ValueError, match="Field required"):
        require_written(Text.model_validate({"zh": "甲"}))


def test_the_shipped_languages_and_their_rules():
    languages = page_languages()
    assert languages.codes == ("zh", "en") and languages.default == "zh"
    assert languages.suffix("zh") == "" and languages.suffix("en") == ".en"
    assert languages.written_in == ("zh", "en") and languages.text_fallback == "en"
    with pytest.raises(ScorecardError, match="unknown page language 'fr'; use zh or en"):
        languages.get("fr")


def test_a_broken_languages_file_names_itself(tmp_path):
    path = tmp_path / "languages.yaml"
    path.write_text("languages: [{code: zh}]\nwritten_in: [zh, en]\ntext_fallback: en\n", encoding="utf-8")
    with pytest.raises(ScorecardError, match="languages.yaml: 'en' is not among the languages"):
        _read(str(path))
