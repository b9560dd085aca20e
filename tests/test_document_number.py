"""Document numbers 发文字号 (docs/rules.md D6): parsing, formatting and their use in models."""

from __future__ import annotations

import pydantic
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import CLERK, SUPERIOR
from secretarial import DocumentNumber, Office, ValidationError

GOOD = "国办发〔2012〕14号"


def refusal(text: object) -> ValidationError:
    """Parse ``text``, expecting a D6 refusal; return the error."""
    with pytest.raises(ValidationError) as info:
        DocumentNumber.parse(text)  # type: ignore[arg-type]
    return info.value


def outcome(text: str) -> tuple[str, str]:
    """``("parsed", str(number))`` or ``("refused", rule)``; any other exception propagates."""
    try:
        number = DocumentNumber.parse(text)
    except ValidationError as err:
        return ("refused", err.problems[0].rule)
    return ("parsed", str(number))


# ------------------------------------------------------------------------ strategies
organ_codes = st.text(
    # no surrogates and no control characters: a name may hold neither
    alphabet=st.characters(exclude_characters="〔〕\x7f", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=30,
).filter(lambda s: not any(ch.isspace() for ch in s))
years = st.integers(min_value=1000, max_value=9999)
sequences = st.integers(min_value=1, max_value=10**9)


@st.composite
def number_like_text(draw: st.DrawFn) -> str:
    """Text shaped like a document number, with any of its parts possibly malformed."""
    digits = st.text(alphabet=st.characters(categories=("Nd",)), min_size=0, max_size=6)
    organ = draw(st.one_of(organ_codes, st.text(max_size=6)))
    left, right = draw(
        st.sampled_from([("〔", "〕"), ("[", "]"), ("（", "）"), ("〔", ""), ("", "")])
    )
    year = draw(st.one_of(digits, st.sampled_from(["2012", "0999", "二〇一二"])))
    sequence = draw(st.one_of(digits, st.sampled_from(["14", "014", "0", "第14", "十四"])))
    suffix = draw(st.sampled_from(["号", "", "号\n", " "]))
    return f"{organ}{left}{year}{right}{sequence}{suffix}"


OUT_OF_RANGE = [
    pytest.param("国办发〔0999〕14号", "year", id="year-below-1000"),
    pytest.param("国" * 201 + "〔2012〕14号", "organ", id="organ-code-over-200-chars"),
    pytest.param("国办发〔2012〕1000000001号", "sequence", id="sequence-over-a-billion"),
]


# ------------------------------------------------------------------------ tests
class TestParseAndFormat:
    """A well-formed number parses into its parts and formats back to the same text."""

    def test_parse_splits_organ_code_year_and_sequence(self):
        number = DocumentNumber.parse(GOOD)
        assert (number.organ_code, number.year, number.sequence) == ("国办发", 2012, 14)

    def test_str_gives_the_text_back(self):
        assert str(DocumentNumber.parse(GOOD)) == GOOD

    def test_built_from_parts_formats_as_d6_writes_it(self):
        number = DocumentNumber(organ_code="京政办发", year=2025, sequence=1)
        assert str(number) == "京政办发〔2025〕1号"

    def test_parsed_and_built_numbers_are_equal_and_hash_alike(self):
        parsed = DocumentNumber.parse(GOOD)
        built = DocumentNumber(organ_code="国办发", year=2012, sequence=14)
        assert parsed == built
        assert hash(parsed) == hash(built)

    def test_large_sequence_is_accepted(self):
        assert DocumentNumber.parse("国办函〔2025〕1234号").sequence == 1234


class TestMalformedNumbersAreRefused:
    """Every malformed form is refused with a D6 validation error that says what is wrong."""

    @pytest.mark.parametrize(
        ("text", "says"),
        [
            pytest.param("国办发[2012]14号", "'[]'", id="ascii-brackets"),
            pytest.param("国办发（2012）14号", "'（）'", id="full-width-parentheses"),
            pytest.param("国办发【2012】14号", "'【】'", id="lenticular-brackets"),
            pytest.param("国办发201214号", "〔〕 (U+3014, U+3015) is missing", id="no-brackets"),
            pytest.param("国办发〕2012〔14号", "once each, in that order", id="brackets-reversed"),
            pytest.param("国办发〔12〕14号", "four digits, found '12'", id="two-digit-year"),
            pytest.param("国办发〔二〇一二〕14号", "four digits", id="chinese-year"),
            pytest.param("国办发〔2012〕第14号", "第", id="di-before-sequence"),
            pytest.param("国办发〔2012〕014号", "leading zeros", id="leading-zero"),
            pytest.param("国办发〔2012〕0号", "starts at 1", id="zero"),
            pytest.param("国办发〔2012〕号", "sequence before 号 is missing", id="no-sequence"),
            pytest.param("国办发〔2012〕14", "end with 号", id="no-hao"),
            pytest.param("〔2012〕14号", "organ code", id="no-organ-code"),
            pytest.param("国办发〔2012〕 14号", "whitespace", id="space-before-sequence"),
            pytest.param("国办发〔20 12〕14号", "whitespace", id="space-in-year"),
            pytest.param("国办发〔2012〕14号 ", "whitespace", id="trailing-space"),
            pytest.param("国办发\n〔2012〕14号", "whitespace", id="newline-in-organ-code"),
            pytest.param(
                "国办发〔2012〕十四号", "Arabic digits, found '十四'", id="chinese-sequence"
            ),
            pytest.param("", "missing", id="empty"),
        ],
    )
    def test_refused_with_rule_d6_and_a_message_naming_the_fault(self, text, says):
        err = refusal(text)
        assert len(err.problems) == 1
        problem = err.problems[0]
        assert problem.rule == "D6"
        assert problem.field == "number"
        assert says in problem.message
        assert repr(text) in problem.message
        assert problem.accepted is not None
        assert GOOD in problem.accepted

    @pytest.mark.parametrize("value", [14, None, b"\xe5\x9b\xbd", 2012.14], ids=repr)
    def test_non_string_input_is_refused_with_d6(self, value):
        problem = refusal(value).problems[0]
        assert problem.rule == "D6"
        assert type(value).__name__ in problem.message

    def test_the_error_is_a_domain_error_and_a_value_error(self):
        err = refusal("国办发[2012]14号")
        assert isinstance(err, ValueError)
        assert err.code == "validation"

    @pytest.mark.parametrize(
        ("text", "says"),
        [
            pytest.param("国办 发〔2012〕14号", "whitespace", id="space-inside-organ-code"),
            pytest.param("国办\t发〔2012〕14号", "whitespace", id="tab-inside-organ-code"),
            pytest.param("\x1c国办发〔2012〕14号", "whitespace", id="separator-control-char"),
            pytest.param("国办发〔2012〕14号\n", "whitespace", id="trailing-newline"),
            pytest.param(" 国办发〔2012〕14号", "whitespace", id="leading-space"),
            pytest.param("国办发 〔2012〕14号", "whitespace", id="space-before-bracket"),
            pytest.param("国办发\u3000〔2012〕14号", "whitespace", id="ideographic-space"),
            pytest.param("国办发〔２０１２〕14号", "four digits", id="full-width-year-digits"),
            pytest.param("国办发〔2012〕1٤号", "Arabic digits", id="arabic-indic-digit"),
            pytest.param(
                "国办发〔2012〕1号〔2012〕2号", "once each", id="two-numbers-run-together"
            ),
        ],
    )
    def test_look_alike_digits_and_stray_whitespace_are_refused(self, text, says):
        problem = refusal(text).problems[0]
        assert problem.rule == "D6"
        assert says in problem.message

    @pytest.mark.parametrize(("text", "part"), OUT_OF_RANGE)
    def test_out_of_range_parts_are_refused_with_d6_naming_the_part(self, text, part):
        problem = refusal(text).problems[0]
        assert (problem.rule, problem.field) == ("D6", "number")
        assert part in problem.message


class TestRoundTripProperties:
    """Formatting and parsing are inverse to each other."""

    @given(organ=organ_codes, year=years, sequence=sequences)
    def test_str_then_parse_gives_the_same_value(self, organ, year, sequence):
        number = DocumentNumber(organ_code=organ, year=year, sequence=sequence)
        text = str(number)
        assert DocumentNumber.parse(text) == number
        assert str(DocumentNumber.parse(text)) == text

    @given(text=st.text())
    def test_arbitrary_text_parses_faithfully_or_is_refused(self, text):
        assert outcome(text) in {("parsed", text), ("refused", "D6")}

    @given(text=st.one_of(st.text(), number_like_text()))
    @example(text="国办发〔２０１２〕14号")
    def test_number_like_text_parses_faithfully_or_is_refused(self, text):
        assert outcome(text) in {("parsed", text), ("refused", "D6")}


class Record(pydantic.BaseModel):
    """A model with a document number field."""

    number: DocumentNumber
    previous: DocumentNumber | None = None


class TestNumberAsAModelField:
    """A DocumentNumber field takes the string form and serialises back to it."""

    def test_field_accepts_the_string(self):
        record = Record(number=GOOD)
        assert record.number == DocumentNumber(organ_code="国办发", year=2012, sequence=14)

    def test_field_serialises_to_the_string(self):
        record = Record(number=GOOD)
        assert record.model_dump(mode="json") == {"number": GOOD, "previous": None}
        assert record.model_dump() == {"number": GOOD, "previous": None}

    def test_json_round_trip(self):
        record = Record(number=GOOD, previous="国办发〔2012〕13号")
        assert Record.model_validate_json(record.model_dump_json()) == record

    def test_field_accepts_a_value(self):
        value = DocumentNumber.parse(GOOD)
        assert Record(number=value).number is value

    def test_field_refuses_a_malformed_string_naming_d6(self):
        with pytest.raises(pydantic.ValidationError) as info:
            Record(number="国办发[2012]14号")
        (error,) = info.value.errors()
        assert error["loc"] == ("number",)
        assert error["msg"].startswith("Value error, D6: ")
        assert "〔〕" in error["msg"]

    def test_document_keeps_the_number_and_dumps_it_as_text(self, office: Office):
        doc = office.documents.receive(
            by=CLERK,
            kind="notice",
            title="关于开展安全检查的通知",
            sender=SUPERIOR,
            channel="electronic",
            received_at=office.now(),
            number=GOOD,
        )
        assert doc.number == DocumentNumber.parse(GOOD)
        assert doc.model_dump(mode="json")["number"] == GOOD

    def test_office_refuses_a_malformed_number_as_a_validation_error(self, office: Office):
        with pytest.raises(ValidationError) as info:
            office.documents.receive(
                by=CLERK,
                kind="notice",
                title="t",
                sender=SUPERIOR,
                channel="paper",
                received_at=office.now(),
                number="国办发〔2012〕014号",
            )
        assert info.value.fields == ("number",)
        assert "leading zeros" in info.value.problems[0].message
        assert office.list() == []

    def test_office_names_rule_d6_for_a_malformed_number(self, office: Office):
        with pytest.raises(ValidationError) as info:
            office.documents.receive(
                by=CLERK,
                kind="notice",
                title="t",
                sender=SUPERIOR,
                channel="paper",
                received_at=office.now(),
                number="国办发[2012]14号",
            )
        assert info.value.problems[0].rule == "D6"
