"""The yearly holiday notice: read into days, held against the law and against itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secretarial.calendars import HolidayNotice, check_notice, parse_notice
from secretarial.errors import ValidationError
from secretarial.kernel import Festival, StatutoryHoliday, statutory_holidays

lunar_python = pytest.importorskip("lunar_python", reason="needs the extra 'china' (lunar_python)")
chinese_calendar = pytest.importorskip(
    "chinese_calendar.constants", reason="needs the extra 'china' (chinese-calendar)"
)

DATA = Path(__file__).parent / "data" / "notices"
WRITTEN = DATA / "written"
PUBLISHED = ("2011", "2017", "2022", "2025", "2026")


class _Lunar:
    """Lunar dates and 清明 straight from lunar_python."""

    source = "lunar_python (test)"

    def solar_date(self, lunar_year: int, month: int, day: int, /) -> date:
        solar = lunar_python.Lunar.fromYmd(lunar_year, month, day).getSolar()
        return date(solar.getYear(), solar.getMonth(), solar.getDay())

    def qingming(self, year: int, /) -> date:
        solar = lunar_python.Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
        return date(solar.getYear(), solar.getMonth(), solar.getDay())


@cache
def statutory(year: int) -> tuple[StatutoryHoliday, ...]:
    return statutory_holidays(year, _Lunar())


def read(name: str, folder: Path = DATA) -> str:
    return (folder / f"{name}.txt").read_text(encoding="utf-8")


def refusal(notice: HolidayNotice) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_notice(notice, statutory(notice.year))
    return caught.value


def problems(error: ValidationError) -> set[tuple[str, str]]:
    return {(p.field, p.rule) for p in error.problems}


def assert_agrees_with_bundled_data(
    year: int, holidays: Iterable[date], workdays: Iterable[date]
) -> None:
    """The days agree with chinese-calendar's published data for ``year``, day by day.

    chinese-calendar leaves some weekend days inside a span out of its holidays (2011-06-05,
    2015-04-04), so a day off the notice gives beyond its data must be a weekend day. Late
    December days of the data belong to the next year's 元旦 and are not compared; days of
    the previous December (a 元旦 across the year boundary) are compared with that year.
    """
    holidays, workdays = set(holidays), set(workdays)
    ours = {d for d in holidays | workdays if d.year == year}
    last = max(ours)
    theirs_off = {d for d in chinese_calendar.holidays if d.year == year}
    theirs_work = {d for d in chinese_calendar.workdays if d.year == year}
    assert all(d.month == 12 for d in (theirs_off | theirs_work) if d > last)
    theirs_off = {d for d in theirs_off if d <= last}
    theirs_work = {d for d in theirs_work if d <= last}
    ours_off = {d for d in holidays if d.year == year}
    assert {d for d in workdays if d.year == year} == theirs_work
    assert theirs_off <= ours_off
    assert all(d.weekday() >= 5 for d in ours_off - theirs_off)
    for day in (d for d in holidays if d.year == year - 1):
        assert day in chinese_calendar.holidays or day.weekday() >= 5
    for day in (d for d in workdays if d.year == year - 1):
        assert day in chinese_calendar.workdays


def assert_published_notice(text: str, year: int) -> None:
    notice = parse_notice(text)
    assert notice.year == year
    assert not notice.supplementary
    assert notice.issuer == "国务院办公厅"
    check_notice(notice, statutory(year))
    assert_agrees_with_bundled_data(year, notice.holidays, notice.workdays)


# -------------------------------------------------------------------- published notices


class TestPublishedNotices:
    @pytest.mark.parametrize("name", PUBLISHED)
    def test_the_project_copy_parses_checks_and_agrees_with_the_bundled_data(self, name):
        """Each notice carried in tests/data parses, passes the checks and matches the data."""
        assert_published_notice(read(name), int(name))

    def test_a_section_is_read_as_written(self):
        """The 2026 Spring Festival section gives its days, count, workdays and notes."""
        notice = parse_notice(read("2026"))
        spring = notice.sections[1]
        assert (spring.number, spring.heading, spring.festival) == (
            "二",
            "春节",
            Festival.SPRING_FESTIVAL,
        )
        assert spring.days_off == tuple(date(2026, 2, 15) + timedelta(days=i) for i in range(9))
        assert spring.stated_days == 9
        assert spring.workdays == (date(2026, 2, 14), date(2026, 2, 28))
        assert (date(2026, 2, 23), 0) in spring.weekday_notes
        assert spring.lunar_notes == (
            (date(2026, 2, 15), "腊月二十八"),
            (date(2026, 2, 23), "正月初七"),
        )
        assert spring.text.startswith("二、春节：2月15日（农历腊月二十八、周日）")
        assert spring.text.endswith("2月28日（周六）上班。")
        assert spring.label == "二、春节"

    def test_the_frame_is_read(self):
        """Signature and date line are read; the year is the one arranged, not issued."""
        notice = parse_notice(read("2011"))
        assert (notice.year, notice.issuer, notice.issued_on) == (
            2011,
            "国务院办公厅",
            date(2010, 12, 9),
        )
        assert notice.title is None
        assert len(notice.sections) == 7

    def test_a_section_may_arrange_two_festivals(self):
        """中秋节、国庆节 names both festivals, in the order written."""
        section = parse_notice(read("2025")).sections[-1]
        assert section.festivals == (Festival.NATIONAL_DAY, Festival.MID_AUTUMN)
        assert section.festival is Festival.NATIONAL_DAY

    def test_a_day_off_with_a_make_up_weekday_and_one_joined_to_the_weekend(self):
        """补休 adds the weekday; 与周末连休 adds the weekend next to the day."""
        notice = parse_notice(read("2017"))
        assert notice.sections[0].days_off == (date(2017, 1, 1), date(2017, 1, 2))
        assert notice.sections[0].stated_days is None
        assert notice.sections[3].days_off == (
            date(2017, 4, 29),
            date(2017, 4, 30),
            date(2017, 5, 1),
        )

    def test_a_day_off_stated_as_one_day(self):
        """The wording 放假1天，不调休 is one day, stated."""
        section = parse_notice(read("2025")).sections[0]
        assert (section.days_off, section.stated_days) == ((date(2025, 1, 1),), 1)

    def test_a_count_in_chinese_numerals(self):
        """共九天 is nine days."""
        notice = parse_notice(read("2026").replace("共9天", "共九天"))
        assert notice.sections[1].stated_days == 9
        check_notice(notice, statutory(2026))


_TO_HALF_WIDTH = str.maketrans({"：": ":", "，": ",", "（": "(", "）": ")", "；": ";"})


def _repost(text: str, weekdays: str) -> str:
    text = text.translate(_TO_HALF_WIDTH)
    if weekdays == "星期":
        for c in "一二三四五六日":
            text = text.replace(f"周{c}", f"星期{c}")
    elif weekdays == "none":
        for c in "一二三四五六日":
            text = text.replace(f"、周{c})", ")").replace(f"(周{c})", "")
            text = text.replace(f"、星期{c})", ")").replace(f"(星期{c})", "")
    return text


class TestReposts:
    @pytest.mark.parametrize("name", PUBLISHED)
    @pytest.mark.parametrize("weekdays", ["周", "星期", "none"])
    def test_a_half_width_repost_reads_as_the_original(self, name, weekdays):
        """Half-width punctuation, 星期 or no weekday notes: the same days."""
        original = parse_notice(read(name))
        repost = parse_notice(_repost(read(name), weekdays))
        assert (repost.holidays, repost.workdays) == (original.holidays, original.workdays)
        assert [s.label for s in repost.sections] == [s.label for s in original.sections]
        check_notice(repost, statutory(repost.year))

    def test_a_notice_on_one_line_reads_as_the_original(self):
        """Sections run together after the preamble are still cut at their numbers."""
        original = parse_notice(read("2022"))
        joined = parse_notice(read("2022").replace("\n", ""))
        assert (joined.holidays, joined.workdays) == (original.holidays, original.workdays)
        assert len(joined.sections) == 7

    def test_whitespace_inside_dates_is_tolerated(self):
        """Spaces inside a date, 4 月 3 日, are tolerated."""
        text = read("2022").replace("4月3日至5日", "4 月 3 日 至 5 日")
        assert parse_notice(text).holidays == parse_notice(read("2022")).holidays


# ------------------------------------------------------------------- written notices


class TestWrittenNotices:
    def test_a_year_crossing_new_year_with_explicit_years(self):
        """2018年12月30日至2019年1月1日 in a half-width copy: December of the year before."""
        notice = parse_notice(read("2019-halfwidth", WRITTEN))
        new_year = notice.sections[0]
        assert new_year.days_off == (date(2018, 12, 30), date(2018, 12, 31), date(2019, 1, 1))
        assert new_year.workdays == (date(2018, 12, 29),)
        check_notice(notice, statutory(2019))

    def test_a_year_crossing_new_year_without_years(self):
        """12月30日—1月1日 and 12月29日 in the 元旦 section lie in the year before."""
        notice = parse_notice(read("2008-dashes", WRITTEN))
        new_year = notice.sections[0]
        assert new_year.days_off == (date(2007, 12, 30), date(2007, 12, 31), date(2008, 1, 1))
        assert new_year.workdays == (date(2007, 12, 29),)
        check_notice(notice, statutory(2008))
        assert_agrees_with_bundled_data(2008, notice.holidays, notice.workdays)

    def test_a_list_of_workdays_may_omit_the_month(self):
        """In 1月21日（星期六）、29日（星期日）上班, 29日 is in January."""
        notice = parse_notice(read("2012", WRITTEN))
        assert notice.sections[1].workdays == (date(2012, 1, 21), date(2012, 1, 29))
        assert notice.sections[0].workdays == (date(2011, 12, 31),)
        check_notice(notice, statutory(2012))
        assert_agrees_with_bundled_data(2012, notice.holidays, notice.workdays)

    def test_make_up_weekdays(self):
        """In 4月5日放假，4月6日（星期一）补休 both are days off; no count is needed."""
        notice = parse_notice(read("2015", WRITTEN))
        assert notice.sections[2].days_off == (date(2015, 4, 5), date(2015, 4, 6))
        assert notice.sections[4].days_off == (date(2015, 6, 20), date(2015, 6, 22))
        check_notice(notice, statutory(2015))

    def test_the_2015_anniversary_adds_its_days_to_the_year(self):
        """The one-off anniversary notice: a paragraph, no festival, 3 days off, 1 workday."""
        annual = parse_notice(read("2015", WRITTEN))
        anniversary = parse_notice(read("2015-anniversary", WRITTEN))
        assert anniversary.supplementary
        assert (anniversary.year, anniversary.issuer) == (2015, "国务院")
        assert str(anniversary.document_number) == "国发明电〔2015〕1号"
        (section,) = anniversary.sections
        assert (section.number, section.heading, section.festival) == (None, None, None)
        assert section.days_off == (date(2015, 9, 3), date(2015, 9, 4), date(2015, 9, 5))
        assert section.stated_days == 3
        assert section.workdays == (date(2015, 9, 6),)
        check_notice(anniversary, statutory(2015))
        holidays, workdays = annual.arranged_days(anniversary)
        assert_agrees_with_bundled_data(2015, holidays, workdays)

    def test_the_2020_extension_runs_the_spring_festival_on(self):
        """延长2020年春节假期至2月2日: days off to 2 February, 1 February no longer worked."""
        annual = parse_notice(read("2020", WRITTEN))
        extension = parse_notice(read("2020-extension", WRITTEN))
        assert extension.supplementary
        assert str(extension.document_number) == "国办发明电〔2020〕1号"
        (section,) = extension.sections  # the items on schools and pay arrange no days
        assert section.festival is Festival.SPRING_FESTIVAL
        assert section.extends_to == date(2020, 2, 2)
        assert (section.days_off, section.workdays) == ((), ())
        check_notice(annual, statutory(2020))
        check_notice(extension, statutory(2020))
        holidays, workdays = annual.arranged_days(extension)
        assert {date(2020, 1, 31), date(2020, 2, 1), date(2020, 2, 2)} <= holidays
        assert date(2020, 2, 1) not in workdays
        assert_agrees_with_bundled_data(2020, holidays, workdays)

    def test_a_document_number_in_square_brackets_is_read(self):
        """A repost writing 国办发明电[2020]1号 gives the same number."""
        text = read("2020-extension", WRITTEN).replace("〔2020〕", "[2020]")
        assert str(parse_notice(text).document_number) == "国办发明电〔2020〕1号"

    def test_the_2019_labour_day_adjustment(self):
        """调整2019年劳动节假期: a supplementary paragraph after "如下：" on its own line."""
        annual = parse_notice(read("2019-halfwidth", WRITTEN))
        adjustment = parse_notice(read("2019-labour-day", WRITTEN))
        assert adjustment.supplementary
        (section,) = adjustment.sections
        assert section.festival is Festival.LABOUR_DAY
        assert section.stated_days == 4
        check_notice(adjustment, statutory(2019))
        holidays, workdays = annual.arranged_days(adjustment)
        assert_agrees_with_bundled_data(2019, holidays, workdays)

    def test_a_supplement_for_another_year_is_refused(self):
        """A notice for 2020 cannot amend 2015."""
        annual = parse_notice(read("2015", WRITTEN))
        with pytest.raises(ValidationError) as caught:
            annual.arranged_days(parse_notice(read("2020-extension", WRITTEN)))
        assert caught.value.problems[0].rule == "W4-amends-year"

    def test_an_extension_of_a_festival_the_notice_does_not_arrange_is_refused(self):
        """Extending the Spring Festival needs a notice that arranges it."""
        bare = parse_notice(
            "现将2020年劳动节安排通知如下。一、劳动节：5月1日至5日放假调休，共5天。"
        )
        with pytest.raises(ValidationError) as caught:
            bare.arranged_days(parse_notice(read("2020-extension", WRITTEN)))
        assert caught.value.problems[0].rule == "W4-amends-year"

    def test_an_extension_that_ends_before_the_statutory_days_is_refused(self):
        """延长…至1月26日 ends before the statutory 27 January."""
        text = read("2020-extension", WRITTEN).replace(
            "至2月2日（农历正月初九，星期日）", "至1月26日"
        )
        error = refusal(parse_notice(text))
        assert ("一、延长2020年春节假期至1月26日", "W4-extension-short") in problems(error)


# ------------------------------------------------------------------ malformed notices


def _mutated(name: str, old: str, new: str) -> HolidayNotice:
    text = read(name)
    assert old in text
    return parse_notice(text.replace(old, new))


class TestMalformedNotices:
    def test_a_missing_day_count(self):
        """A span of several days without 共N天 is refused, naming the section."""
        notice = _mutated("2026", "放假调休，共9天。", "放假调休。")
        assert problems(refusal(notice)) == {("二、春节", "W4-count-missing")}

    def test_an_adjusted_workday_on_a_tuesday(self):
        """上班 on a Tuesday is refused."""
        notice = _mutated("2026", "2月28日（周六）上班", "2月24日（周二）上班")
        assert problems(refusal(notice)) == {("二、春节", "W4-workday-weekday")}

    def test_a_span_that_contradicts_its_count(self):
        """共8天 for a span of nine days is refused, and the message says what fits."""
        notice = _mutated("2026", "共9天", "共8天")
        error = refusal(notice)
        assert problems(error) == {("二、春节", "W4-span-length")}
        assert "共9天" in str(error)

    def test_a_statutory_day_outside_its_span(self):
        """A National Day span that leaves out 1 October is refused."""
        notice = _mutated(
            "2026", "10月1日（周四）至7日（周三）放假调休，共7天", "10月2日至7日放假调休，共6天"
        )
        assert problems(refusal(notice)) == {("七、国庆节", "W4-statutory-outside")}

    def test_a_wrong_weekday_note(self):
        """2月14日（周日）: 14 February 2026 is a Saturday."""
        notice = _mutated("2026", "2月14日（周六）", "2月14日（周日）")
        error = refusal(notice)
        assert problems(error) == {("二、春节", "W4-weekday-note")}
        assert "星期六" in str(error)

    def test_a_wrong_lunar_note(self):
        """农历正月初八 for 23 February 2026, which is 正月初七."""
        notice = _mutated("2026", "农历正月初七", "农历正月初八")
        assert problems(refusal(notice)) == {("二、春节", "W4-lunar-note")}

    def test_a_missing_festival(self):
        """An annual notice without a 清明节 section is refused, naming the festival."""
        notice = _mutated("2026", "三、清明节：4月4日（周六）至6日（周一）放假，共3天。\n", "")
        assert problems(refusal(notice)) == {("清明节", "W4-festival-missing")}

    def test_a_day_both_off_and_worked(self):
        """A day inside the span may not also be a working day."""
        notice = _mutated("2026", "2月14日（周六）、", "2月15日（周日）、2月14日（周六）、")
        assert problems(refusal(notice)) == {("二、春节", "W4-off-and-work")}

    def test_a_day_far_from_the_year(self):
        """A National Day of 2028 in the 2026 notice is refused."""
        notice = _mutated("2026", "10月1日（周四）至7日（周三）", "2028年10月1日至7日")
        found = problems(refusal(notice))
        assert ("七、国庆节", "W4-year") in found
        assert ("七、国庆节", "W4-statutory-outside") in found

    def test_a_festival_arranged_twice(self):
        """Two sections for 劳动节 are refused at the second."""
        notice = _mutated("2026", "五、端午节：", "五、劳动节：5月1日放假，共1天。\n六、端午节：")
        assert ("五、劳动节", "W4-festival-twice") in problems(refusal(notice))

    def test_a_festival_the_law_in_force_does_not_give(self):
        """A 清明节 section in 2007, under the 1999 version of the law, is refused."""
        text = (
            "现将2007年元旦、春节、劳动节和国庆节放假调休日期的具体安排通知如下。\n"
            "一、元旦：1月1日至3日放假，共3天。\n"
            "二、春节：2月18日至24日放假，共7天。2月17日（星期六）、2月25日（星期日）上班。\n"
            "三、清明节：4月5日放假，共1天。\n"
            "四、劳动节：5月1日至7日放假，共7天。4月28日（星期六）、4月29日（星期日）上班。\n"
            "五、国庆节：10月1日至7日放假，共7天。9月29日（星期六）、9月30日（星期日）上班。\n"
        )
        notice = parse_notice(text)
        assert problems(refusal(notice)) == {("三、清明节", "W4-festival-not-statutory")}
        without = parse_notice(text.replace("三、清明节：4月5日放假，共1天。\n", ""))
        check_notice(without, statutory(2007))
        assert_agrees_with_bundled_data(2007, without.holidays, without.workdays)

    def test_every_problem_is_listed(self):
        """Several faults give one refusal listing each, with its section."""
        text = (
            read("2026")
            .replace("共9天", "共8天")
            .replace("4月4日（周六）", "4月4日（周日）")
            .replace("10月10日（周六）", "10月13日（周二）")
        )
        error = refusal(parse_notice(text))
        assert problems(error) == {
            ("二、春节", "W4-span-length"),
            ("三、清明节", "W4-weekday-note"),
            ("七、国庆节", "W4-workday-weekday"),
        }
        assert error.model == "HolidayNotice"


class TestNotANotice:
    @pytest.mark.parametrize(
        "text",
        ["", "今天天气很好。", "经国务院批准，现将2026年安排通知如下。节假日期间，注意安全。"],
    )
    def test_a_text_without_sections_is_refused(self, text):
        """No section arranging days off: refused, saying so."""
        with pytest.raises(ValidationError) as caught:
            parse_notice(text)
        assert [(p.field, p.rule) for p in caught.value.problems] == [("text", "W4-not-a-notice")]

    def test_a_text_without_a_year_is_refused(self):
        """Sections alone, with no year anywhere: refused."""
        with pytest.raises(ValidationError, match="no year"):
            parse_notice("一、元旦：1月1日放假，共1天。")

    def test_a_day_that_does_not_exist_is_refused_naming_the_section(self):
        """2月30日 is not a day."""
        with pytest.raises(ValidationError) as caught:
            parse_notice(read("2026").replace("2月28日（周六）上班", "2月30日（周六）上班"))
        assert [(p.field, p.rule) for p in caught.value.problems] == [
            ("二、春节", "W4-section-unreadable")
        ]

    def test_a_span_that_ends_before_it_starts_is_refused(self):
        """至 a day before the first is refused."""
        with pytest.raises(ValidationError) as caught:
            parse_notice(read("2026").replace("5月1日（周五）至5日（周二）", "5月5日至1日"))
        assert [(p.field, p.rule) for p in caught.value.problems] == [
            ("四、劳动节", "W4-span-order")
        ]

    def test_a_date_that_says_nothing_is_refused(self):
        """A date without 放假 or 上班 after it is refused."""
        with pytest.raises(ValidationError) as caught:
            parse_notice(read("2026").replace("5月9日（周六）上班", "5月9日（周六）另行安排"))
        assert [(p.field, p.rule) for p in caught.value.problems] == [
            ("四、劳动节", "W4-section-unreadable")
        ]


# --------------------------------------------------------------- generated arrangements

_NUMBERS = "一二三四五六七八九十"
_WEEKDAY_CHARS = "一二三四五六日"


def _grouped(year: int) -> list[list[StatutoryHoliday]]:
    """The statutory holidays, festivals a week or less apart in one section."""
    groups: list[list[StatutoryHoliday]] = []
    for holiday in statutory(year):
        if groups and (holiday.days[0] - groups[-1][-1].days[-1]).days <= 7:
            groups[-1].append(holiday)
        else:
            groups.append([holiday])
    return groups


def _written_day(
    day: date, *, year: int, previous: date | None, style: str | None, explicit: bool
) -> str:
    if previous is not None and previous.year == day.year and previous.month == day.month:
        text = f"{day.day}日"
    elif (day.year != year or explicit) and (previous is None or previous.year != day.year):
        text = f"{day.year}年{day.month}月{day.day}日"
    else:
        text = f"{day.month}月{day.day}日"
    if style is not None:
        text += f"（{style}{_WEEKDAY_CHARS[day.weekday()]}）"
    return text


@st.composite
def arrangements(draw: st.DrawFn) -> tuple[int, str, set[date], set[date]]:
    """A year, a notice text for a valid arrangement of it, its days off and workdays."""
    year = draw(st.integers(2008, 2030))
    groups = _grouped(year)
    spans: list[tuple[date, date]] = []
    for group in groups:
        first, last = group[0].days[0], group[-1].days[-1]
        first -= timedelta(days=draw(st.integers(0, 2)))
        last += timedelta(days=draw(st.integers(0, 3)))
        spans.append((first, last))
    off = {
        first + timedelta(days=i) for first, last in spans for i in range((last - first).days + 1)
    }
    style = draw(st.sampled_from(["周", "星期", None]))
    explicit = draw(st.booleans())
    sections, work = [], set()
    for index, (group, (first, last)) in enumerate(zip(groups, spans, strict=True)):
        near = [first - timedelta(days=i) for i in range(1, 11)]
        near += [last + timedelta(days=i) for i in range(1, 11)]
        weekend = sorted(d for d in near if d.weekday() >= 5 and d not in off and d not in work)
        moved = sorted(draw(st.lists(st.sampled_from(weekend), max_size=2, unique=True)))
        work |= set(moved)
        heading = "、".join(h.festival.label for h in group)
        start = _written_day(first, year=year, previous=None, style=style, explicit=explicit)
        if first == last:
            span = start
        else:
            end = _written_day(last, year=year, previous=first, style=style, explicit=explicit)
            span = f"{start}至{end}"
        wording = draw(st.sampled_from(["放假", "放假调休", "放假公休"]))
        line = f"{_NUMBERS[index]}、{heading}：{span}{wording}，共{(last - first).days + 1}天。"
        if moved:
            days = "、".join(
                _written_day(d, year=year, previous=None, style="星期", explicit=explicit)
                for d in moved
            )
            line += f"{days}上班。"
        sections.append(line)
    festivals = "、".join(h.festival.label for g in groups for h in g)
    text = "\n".join(
        [
            f"国务院办公厅关于{year}年部分节假日安排的通知",
            "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
            f"经国务院批准，现将{year}年{festivals}放假调休日期的具体安排通知如下。",
            *sections,
            "节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。",
            "国务院办公厅",
            f"{year - 1}年12月1日",
        ]
    )
    if draw(st.booleans()):
        text = text.translate(_TO_HALF_WIDTH)
    return year, text, off, work


@given(arrangements())
def test_a_generated_notice_reads_back_to_its_days(arrangement):
    """A valid arrangement written in the published form parses back to the same days."""
    year, text, off, work = arrangement
    notice = parse_notice(text)
    assert notice.year == year
    assert not notice.supplementary
    assert notice.issued_on == date(year - 1, 12, 1)
    assert notice.holidays == off
    assert notice.workdays == work
    check_notice(notice, statutory(year))
