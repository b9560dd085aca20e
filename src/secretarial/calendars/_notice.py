"""The yearly holiday notice of the State Council General Office, read into days.

Each year the General Office publishes 国务院办公厅关于YYYY年部分节假日安排的通知: one
numbered section per festival, each giving the span of days off, the number of days
("共N天") and the weekend days that become working days (上班)::

    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
    2月14日（周六）、2月28日（周六）上班。

:func:`parse_notice` reads such a text into a :class:`HolidayNotice`; :func:`check_notice`
holds it against the law (:func:`~secretarial.kernel.statutory_holidays`) and against
itself, and refuses it with every problem found.

What the parser accepts, beyond the published form:

* full-width or half-width punctuation (``：，（）`` or ``:,()``), whitespace anywhere;
* weekday notes written 星期六, 周六 or 礼拜六, or left out; lunar notes (农历除夕);
* the wordings 放假, 放假调休, 调休放假, 放假公休, "放假N天", "放假，与周末连休" (the
  weekend next to the day is part of the break) and "…放假，…补休" (a weekday given off
  because the holiday fell on a weekend);
* the end of a span without its month ("至23日"), in another month, or a single day;
* spans across the year boundary: in the 元旦 section a December date without a year is
  in the year before the notice's ("12月30日至1月1日"); an explicit year always wins;
* supplementary notices (:attr:`HolidayNotice.supplementary`) that amend a year, such as
  the extension of a festival ("延长2020年春节假期至2月2日") or one-off days off (the 2015
  anniversary), numbered or written as one paragraph after "…如下：". Apply them with
  :meth:`HolidayNotice.arranged_days`.

Problems carry a stable rule code (:data:`NOTICE_RULES`) and name the section, as it is
headed (``"二、春节"``). This module is pure: it reads text it is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from secretarial.errors import FieldProblem, ValidationError
from secretarial.kernel._holiday_law import Festival, StatutoryHoliday, law_in_force
from secretarial.kernel._values import DocumentNumber, Value

__all__ = [
    "NOTICE_RULES",
    "HolidayNotice",
    "NoticeSection",
    "check_notice",
    "parse_notice",
]

NOTICE_RULES: Final[Mapping[str, str]] = {
    "W4-not-a-notice": "the text names a year and has at least one section of days off",
    "W4-section-unreadable": "every date in a section says what happens on it",
    "W4-span-order": "a span of days off ends on or after the day it starts",
    "W4-count-missing": "a span of several days states its length (共N天)",
    "W4-span-length": "the stated number of days (共N天) is the number of days off",
    "W4-festival-missing": "an annual notice has a section for every statutory festival",
    "W4-festival-twice": "a festival is arranged in one section only",
    "W4-festival-not-statutory": "a festival arranged is one the law in force gives",
    "W4-statutory-outside": "every statutory day of a festival lies inside its days off",
    "W4-extension-short": "an extended festival ends after its statutory days",
    "W4-workday-weekday": "an adjusted working day (上班) is a Saturday or a Sunday",
    "W4-weekday-note": "a weekday note (星期六, 周六) names the date's weekday",
    "W4-lunar-note": "a lunar note (农历除夕, 正月初七) names the date's lunar day",
    "W4-off-and-work": "no day is both a day off and a working day",
    "W4-year": "every day lies in the notice's year or next to it",
    "W4-amends-year": "a supplementary notice amends the year of the notice it is applied to",
}
"""The rules a notice is held to, by code: what each requires."""

_MODEL: Final = "HolidayNotice"
_WEEKDAYS: Final = "一二三四五六日"
_WEEKDAY_NAMES: Final = tuple(f"星期{c}" for c in _WEEKDAYS)
_CN_DIGITS: Final = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}

# Full-width ASCII forms, the ideographic space and dashes become their ASCII twins; every
# replacement is one character for one, so positions in the normalised text are positions
# in the text as written.
_HALF_WIDTH: Final = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {
    0x3000: 0x20,
    0x2010: 0x2D,
    0x2013: 0x2D,
    0x2014: 0x2D,
    0x2015: 0x2D,
    0x2212: 0x2D,
    0x301C: 0x7E,
}

_FESTIVAL_WORDS: Final = (
    ("元旦", Festival.NEW_YEAR),
    ("春节", Festival.SPRING_FESTIVAL),
    ("清明", Festival.QINGMING),
    ("劳动", Festival.LABOUR_DAY),
    ("五一", Festival.LABOUR_DAY),
    ("端午", Festival.DRAGON_BOAT),
    ("中秋", Festival.MID_AUTUMN),
    ("国庆", Festival.NATIONAL_DAY),
)


def _date_pattern(p: str) -> str:
    return (
        rf"(?:(?P<{p}y>\d{{4}})\s*年\s*)?(?:(?P<{p}m>\d{{1,2}})\s*月\s*)?(?P<{p}d>\d{{1,2}})\s*日"
        rf"(?:\s*\((?P<{p}n>[^()]*)\))?"
    )


_ITEM_RE: Final = re.compile(
    _date_pattern("a") + r"(?:\s*(?:至|到|-+|~)\s*" + _date_pattern("b") + ")?"
)
_LIST_GAP_RE: Final = re.compile(r"[\s、和及]*")
_SENTENCE_RE: Final = re.compile(r"[^。\n]+。?")
_NUMBER_RE: Final = re.compile(r"\s*(?P<num>[一二三四五六七八九十]{1,3})\s*[、.]\s*")
_HEADING_RE: Final = re.compile(r"(?P<heading>[^:\d。]{1,30}?)\s*:\s*")
_COUNT_RE: Final = re.compile(r"(?:共|放假)\s*(?P<n>\d{1,3}|[一二三四五六七八九十]{1,3})\s*天")
_KEYWORD_RE: Final = re.compile(r"上班|放假|调休|公休|补休|休息|休假")
_WEEKDAY_RE: Final = re.compile(r"(?:星期|周|礼拜)\s*(?P<w>[一二三四五六日天])")
_LUNAR_RE: Final = re.compile(
    r"农历\s*(?:(?P<eve>除夕)|(?P<m>正|腊|冬|[一二三四五六七八九十]{1,2})月\s*(?P<d>[初十廿卅一二三四五六七八九]{1,3}))"
)
_YEAR_LINE_RE: Final = re.compile(r"现将\s*(?P<y>\d{4})\s*年")
_ANNUAL_RE: Final = re.compile(r"\d{4}\s*年\s*部分节假日|现将\s*\d{4}\s*年[^。]*安排通知如下")
_AMENDING_RE: Final = re.compile(r"延长|调整|纪念|补充|变更")
_EXTENSION_RE: Final = re.compile(r"延长[^。]*?至\s*$")
_ISSUED_RE: Final = re.compile(
    r"\s*(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*"
)
_DOC_NUMBER_RE: Final = re.compile(
    r"\s*(?P<organ>[^\s\[(〔]{2,12})[\[(〔](?P<y>\d{4})[\])〕](?P<n>\d+)号\s*"
)
_FOLLOWS_RE: Final = re.compile(r"如下\s*:\s*")


class NoticeSection(Value):
    """One section of a notice: the days off for a festival and the working days moved.

    Attributes:
        number: The section's number as written (一, 二, …); None for an arrangement
            written as a paragraph.
        heading: The heading before the colon, as written (``"中秋节、国庆节"``); None if
            the section has none.
        festivals: The statutory festivals the section arranges, in the order named;
            empty for a one-off day such as the 2015 anniversary.
        spans: The runs of days off as written, each ``(first, last)``; a 补休 day is a
            run of one day.
        days_off: Every day off the section gives, in order, including the weekend a
            day "与周末连休" joins.
        stated_days: The number of days stated (共N天, 放假N天), or None if none is.
        workdays: The adjusted working days (上班), in order.
        extends_to: For a supplementary extension ("延长…假期至2月2日"), the new last day
            off of the festival; None otherwise.
        weekday_notes: Every weekday note with the date it follows, as ``(day, weekday)``
            with Monday 0.
        lunar_notes: Every lunar note with the date it follows, as written after 农历.
        text: The section's text as written.
    """

    number: str | None
    heading: str | None
    festivals: tuple[Festival, ...] = ()
    spans: tuple[tuple[date, date], ...] = ()
    days_off: tuple[date, ...] = ()
    stated_days: int | None = None
    workdays: tuple[date, ...] = ()
    extends_to: date | None = None
    weekday_notes: tuple[tuple[date, int], ...] = ()
    lunar_notes: tuple[tuple[date, str], ...] = ()
    text: str

    @property
    def festival(self) -> Festival | None:
        """The (first) festival the section arranges; None for a one-off day."""
        return self.festivals[0] if self.festivals else None

    @property
    def label(self) -> str:
        """How problems name the section: ``"二、春节"``, or its first words if unheaded."""
        if self.number and self.heading:
            return f"{self.number}、{self.heading}"
        return re.split(r"[,，。(（]", self.text, maxsplit=1)[0].strip()


class HolidayNotice(Value):
    """A holiday notice of the State Council (General Office), as read by :func:`parse_notice`.

    Attributes:
        year: The year arranged, or for a supplementary notice the year it amends.
        title: The title line, if the text has one.
        document_number: The document number (国办发明电〔2010〕40号), if the text has one.
        issuer: The signature line (国务院办公厅), if the text has one.
        issued_on: The date line at the end, if the text has one.
        supplementary: Whether the notice amends a year rather than arranging it whole.
            A notice is annual when its title names "YYYY年部分节假日安排" or its text says
            "现将YYYY年…安排通知如下"; otherwise it is supplementary when it speaks of
            延长, 调整, 纪念, 补充 or 变更. A text with neither mark is taken as annual, so
            it is held to the full set of festivals.
        sections: The sections that arrange days, in order; numbered items of a
            supplementary notice that name no date and no festival are left out.
    """

    year: int
    title: str | None = None
    document_number: DocumentNumber | None = None
    issuer: str | None = None
    issued_on: date | None = None
    supplementary: bool = False
    sections: tuple[NoticeSection, ...]

    @property
    def holidays(self) -> frozenset[date]:
        """Every day off the notice gives."""
        return frozenset(d for s in self.sections for d in s.days_off)

    @property
    def workdays(self) -> frozenset[date]:
        """Every adjusted working day (上班) of the notice."""
        return frozenset(d for s in self.sections for d in s.workdays)

    def arranged_days(self, *supplements: HolidayNotice) -> tuple[frozenset[date], frozenset[date]]:
        """The year's days off and adjusted working days once ``supplements`` amend it.

        Each supplement is applied in order: its days off are added (and stop being
        working days), its working days are added (and stop being days off), and an
        extension runs its festival's days off on from the last one arranged so far to
        :attr:`NoticeSection.extends_to`.

        Returns:
            ``(holidays, workdays)``.

        Raises:
            ValidationError: A supplement amends another year, or extends a festival the
                notice does not arrange (rule ``W4-amends-year``).
        """
        off, work = set(self.holidays), set(self.workdays)
        last_off = {
            festival: max(s.days_off)
            for s in self.sections
            if s.days_off
            for festival in s.festivals
        }
        for supplement in supplements:
            if supplement.year != self.year:
                raise ValidationError(
                    _MODEL,
                    [
                        FieldProblem(
                            "supplements",
                            "W4-amends-year",
                            f"a notice for {supplement.year} cannot amend {self.year}",
                            f"a supplementary notice for {self.year}",
                        )
                    ],
                )
            for section in supplement.sections:
                new_off = set(section.days_off)
                if section.extends_to is not None:
                    new_off |= self._extension(section, last_off)
                    for festival in section.festivals:
                        last_off[festival] = section.extends_to
                off |= new_off
                work -= new_off
                work |= set(section.workdays)
                off -= set(section.workdays)
        return frozenset(off), frozenset(work)

    def _extension(self, section: NoticeSection, last_off: dict[Festival, date]) -> set[date]:
        assert section.extends_to is not None  # noqa: S101 -- the caller checked
        known = [last_off[f] for f in section.festivals if f in last_off]
        if not known:
            names = "、".join(f.label for f in section.festivals) or "the festival"
            raise ValidationError(
                _MODEL,
                [
                    FieldProblem(
                        section.label,
                        "W4-amends-year",
                        f"extends {names}, which the {self.year} notice does not arrange",
                        "a notice that arranges the festival extended",
                    )
                ],
            )
        return set(_days(max(known) + timedelta(days=1), section.extends_to))


# ------------------------------------------------------------------------------- parsing


class _Unreadable(Exception):
    """A section cannot be read; carries the rule code and the message."""

    def __init__(self, rule: str, message: str, accepted: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.accepted = accepted


@dataclass(slots=True)
class _Context:
    """Where a date without its year or month is: the notice's year, the last date read."""

    notice_year: int
    new_year: bool
    last: date | None = None

    def day(self, y: str | None, m: str | None, d: str, *, after: date | None = None) -> date:
        if m is None:
            base = after or self.last
            if base is None:
                raise _Unreadable(
                    "W4-section-unreadable",
                    f"{d}日 is written without its month",
                    "a first date with its month, such as 2月2日",
                )
            year, month = base.year, base.month
        else:
            month = int(m)
            if y is not None:
                year = int(y)
            elif after is not None:
                year = after.year + (1 if month < after.month else 0)
            elif self.new_year and month == 12:  # noqa: PLR2004 -- December
                year = self.notice_year - 1
            else:
                year = self.notice_year
        try:
            found = date(year, month, int(d))
        except ValueError:
            raise _Unreadable(
                "W4-section-unreadable", f"{year}年{month}月{d}日 is not a day"
            ) from None
        self.last = found
        return found


@dataclass(slots=True)
class _Item:
    """One date or span of dates in a section, with the notes that follow its days."""

    start: int
    end: int
    first: date
    last: date
    notes: list[tuple[date, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Reading:
    """What a section says, gathered while its dates are read."""

    spans: list[tuple[date, date]] = field(default_factory=list)
    workdays: set[date] = field(default_factory=set)
    stated: int | None = None
    with_weekend: bool = False
    extends_to: date | None = None


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _cn_number(text: str) -> int | None:
    """An Arabic or Chinese number (二十八, 廿八, 初七, 十) as an int; None if not one."""
    if text.isdigit():
        return int(text)
    text = text.removeprefix("初").replace("廿", "二十").replace("卅", "三十")
    if "十" not in text:
        return _CN_DIGITS.get(text) if len(text) == 1 else None
    tens, _, units = text.partition("十")
    high = _CN_DIGITS.get(tens) if tens else 1
    low = _CN_DIGITS.get(units) if units else 0
    if high is None or low is None or len(tens) > 1 or len(units) > 1:
        return None
    return high * 10 + low


def _festivals(text: str) -> tuple[Festival, ...]:
    found = sorted(
        (text.find(word), festival) for word, festival in _FESTIVAL_WORDS if word in text
    )
    return tuple(dict.fromkeys(festival for _, festival in found))


def _items(body: str, context: _Context) -> list[_Item]:
    items: list[_Item] = []
    for match in _ITEM_RE.finditer(body):
        first = context.day(match["ay"], match["am"], match["ad"])
        notes = [(first, match["an"])] if match["an"] else []
        last = first
        if match["bd"]:
            last = context.day(match["by"], match["bm"], match["bd"], after=first)
            if match["bn"]:
                notes.append((last, match["bn"]))
            if last < first:
                raise _Unreadable(
                    "W4-span-order",
                    f"the span {match[0]} ends before it starts",
                    "a last day on or after the first",
                )
        items.append(_Item(match.start(), match.end(), first, last, notes))
    return items


def _groups(body: str, items: list[_Item]) -> list[list[_Item]]:
    """Items joined by 、 or 和 form one group: what follows the last says what they are."""
    groups: list[list[_Item]] = []
    for item in items:
        if groups and _LIST_GAP_RE.fullmatch(body, groups[-1][-1].end, item.start):
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _read_group(group: list[_Item], lead: str, clause: str, reading: _Reading) -> None:
    said = clause.lstrip(" ,、")
    if said.startswith(("为", "是", "起")):
        return  # an annotation ("为调休") or a resumption ("起正常上班"), not an arrangement
    if len(group) == 1 and group[0].first == group[0].last and _EXTENSION_RE.search(lead):
        reading.extends_to = group[0].first
        return
    if "上班" in clause:
        reading.workdays.update(d for item in group for d in _days(item.first, item.last))
        return
    if not _KEYWORD_RE.search(clause):
        written = "、".join(f"{i.first:%m月%d日}" for i in group)
        raise _Unreadable(
            "W4-section-unreadable",
            f"{written}: the text does not say whether it is a day off or a working day",
            "放假, 放假调休, 补休 or 上班 after the date",
        )
    reading.spans.extend((item.first, item.last) for item in group)
    count = _COUNT_RE.search(clause)
    if count and reading.stated is None:
        reading.stated = _cn_number(count["n"])
    if "与周末连休" in clause or "和周末连休" in clause:
        reading.with_weekend = True


def _days_off(reading: _Reading) -> tuple[date, ...]:
    off = {d for first, last in reading.spans for d in _days(first, last)}
    if reading.with_weekend and off:
        step = timedelta(days=1)
        day = min(off) - step
        while day.weekday() >= 5 and day not in reading.workdays:  # noqa: PLR2004 -- Sat, Sun
            off.add(day)
            day -= step
        day = max(off) + step
        while day.weekday() >= 5 and day not in reading.workdays:  # noqa: PLR2004 -- Sat, Sun
            off.add(day)
            day += step
    return tuple(sorted(off))


def _notes(
    items: Iterable[_Item],
) -> tuple[tuple[tuple[date, int], ...], tuple[tuple[date, str], ...]]:
    weekdays: list[tuple[date, int]] = []
    lunar: list[tuple[date, str]] = []
    for item in items:
        for day, note in item.notes:
            weekdays.extend(
                (day, _WEEKDAYS.index(m["w"].replace("天", "日")))
                for m in _WEEKDAY_RE.finditer(note)
            )
            lunar.extend((day, m[0].removeprefix("农历").strip()) for m in _LUNAR_RE.finditer(note))
    return tuple(weekdays), tuple(lunar)


@dataclass(slots=True)
class _Chunk:
    """A section's place in the text: where it starts and ends, its number, if any."""

    start: int
    end: int
    number: str | None


def _section(norm: str, original: str, chunk: _Chunk, year: int) -> NoticeSection | None:
    """Read one section; None for a numbered item that arranges nothing."""
    body_start = chunk.start
    heading: str | None = None
    if chunk.number is not None:
        number = _NUMBER_RE.match(norm, chunk.start)
        assert number is not None  # noqa: S101 -- the chunk was cut at a number
        body_start = number.end()
        head = _HEADING_RE.match(norm, body_start, chunk.end)
        if head:
            heading = original[head.start("heading") : head.end("heading")].strip()
            body_start = head.end()
    body = norm[body_start : chunk.end]
    first_date = _ITEM_RE.search(body)
    named = heading if heading is not None else body[: first_date.start() if first_date else None]
    festivals = _festivals(named)
    text = original[chunk.start : chunk.end].strip()
    if first_date is None:
        if chunk.number is not None and not (heading and festivals):
            return None
        raise _Unreadable("W4-section-unreadable", "the section names no date", "M月D日")
    context = _Context(year, new_year=Festival.NEW_YEAR in festivals)
    items = _items(body, context)
    reading = _Reading()
    groups = _groups(body, items)
    for index, group in enumerate(groups):
        lead_from = groups[index - 1][-1].end if index else 0
        upto = groups[index + 1][0].start if index + 1 < len(groups) else len(body)
        lead = body[lead_from : group[0].start]
        clause = body[group[-1].end : upto].split("。", 1)[0]
        _read_group(group, lead, clause, reading)
    weekday_notes, lunar_notes = _notes(items)
    return NoticeSection(
        number=chunk.number,
        heading=heading,
        festivals=festivals,
        spans=tuple(reading.spans),
        days_off=_days_off(reading),
        stated_days=reading.stated,
        workdays=tuple(sorted(reading.workdays)),
        extends_to=reading.extends_to,
        weekday_notes=weekday_notes,
        lunar_notes=lunar_notes,
        text=text,
    )


def _arranges(sentence: str) -> bool:
    return bool(_ITEM_RE.search(sentence) and _KEYWORD_RE.search(sentence))


def _continues(norm: str, chunk: _Chunk, sentence: re.Match[str]) -> bool:
    """Whether a sentence belongs to the open section.

    On the section's line, any sentence with a date does; on a later line, one with a
    date and what happens on it (放假, 上班, 补休 …), so the closing paragraph and the
    date line do not.
    """
    if not _ITEM_RE.search(sentence[0]):
        return False
    return "\n" not in norm[chunk.end : sentence.start()] or _arranges(sentence[0])


def _chunks(norm: str) -> list[_Chunk]:
    """Cut the text into sections: numbered ones, else the paragraph after "…如下："."""
    chunks: list[_Chunk] = []
    open_chunk: _Chunk | None = None
    sentences = list(_SENTENCE_RE.finditer(norm))
    for sentence in sentences:
        number = _NUMBER_RE.match(sentence[0])
        if number:
            open_chunk = _Chunk(sentence.start(), sentence.end(), number["num"])
            chunks.append(open_chunk)
        elif open_chunk is not None and _continues(norm, open_chunk, sentence):
            open_chunk.end = sentence.end()
        else:
            open_chunk = None
    if any(_ITEM_RE.search(norm, c.start, c.end) for c in chunks):
        return chunks
    chunks, open_chunk = [], None
    pending = False  # the last sentence ended with "…如下："
    for sentence in sentences:
        follows = _FOLLOWS_RE.search(sentence[0])
        if follows and _ITEM_RE.search(sentence[0], follows.end()):
            open_chunk = _Chunk(sentence.start() + follows.end(), sentence.end(), None)
            chunks.append(open_chunk)
        elif pending and _arranges(sentence[0]):
            open_chunk = _Chunk(sentence.start(), sentence.end(), None)
            chunks.append(open_chunk)
        elif open_chunk is not None and _continues(norm, open_chunk, sentence):
            open_chunk.end = sentence.end()
        else:
            open_chunk = None
        pending = follows is not None and not sentence[0][follows.end() :].strip()
    return chunks


@dataclass(slots=True)
class _Frame:
    """The lines around the sections: title, number, signature, date."""

    title: str | None = None
    document_number: DocumentNumber | None = None
    issuer: str | None = None
    issued_on: date | None = None


def _frame(original: str, norm: str, first: int, last: int) -> _Frame:
    frame = _Frame()
    head = [line.strip() for line in original[:first].splitlines() if line.strip()]
    for line in head[:3]:
        normal = line.translate(_HALF_WIDTH)
        number = _DOC_NUMBER_RE.fullmatch(normal)
        if number:
            try:
                frame.document_number = DocumentNumber.parse(
                    f"{number['organ']}〔{number['y']}〕{number['n']}号"
                )
            except ValidationError:
                frame.document_number = None
        elif frame.title is None and normal.endswith("通知") and not re.search(r"[,。:;]", normal):
            frame.title = line
    tail = [line.strip() for line in norm[last:].splitlines() if line.strip()]
    tail_original = [line.strip() for line in original[last:].splitlines() if line.strip()]
    for index in range(len(tail) - 1, -1, -1):
        issued = _ISSUED_RE.fullmatch(tail[index])
        if issued:
            try:
                frame.issued_on = date(int(issued["y"]), int(issued["m"]), int(issued["d"]))
            except ValueError:
                break
            before = tail_original[index - 1] if index else ""
            if before and len(before) <= 40 and not re.search(r"[,，。:：;；]", before):  # noqa: PLR2004
                frame.issuer = before
            break
    return frame


def _year(norm: str, title: str | None, first_section: int) -> int | None:
    for pattern, where in (
        (_YEAR_LINE_RE, norm),
        (re.compile(r"(?P<y>\d{4})\s*年"), title or ""),
        (re.compile(r"延长\s*(?P<y>\d{4})\s*年"), norm),
        (re.compile(r"(?P<y>\d{4})\s*年"), norm[:first_section]),
        (re.compile(r"(?P<y>\d{4})\s*年"), norm[first_section:]),
    ):
        found = pattern.search(where)
        if found:
            return int(found["y"])
    return None


def _chunk_label(norm: str, original: str, chunk: _Chunk) -> str:
    """Name a section that could not be read the way :attr:`NoticeSection.label` would."""
    heading = None
    number = _NUMBER_RE.match(norm, chunk.start) if chunk.number else None
    if number:
        head = _HEADING_RE.match(norm, number.end(), chunk.end)
        heading = original[head.start("heading") : head.end("heading")].strip() if head else None
    section = NoticeSection(
        number=chunk.number, heading=heading, text=original[chunk.start : chunk.end]
    )
    return section.label


def _not_a_notice(message: str) -> ValidationError:
    return ValidationError(
        _MODEL,
        [
            FieldProblem(
                "text",
                "W4-not-a-notice",
                message,
                "a notice such as 国务院办公厅关于2026年部分节假日安排的通知: "
                "现将2026年…通知如下。一、元旦：1月1日至3日放假调休，共3天。…",
            )
        ],
    )


def parse_notice(text: str) -> HolidayNotice:
    """Read a holiday notice of the State Council (General Office).

    Args:
        text: The notice as published, from the title or the salutation to the date
            line; full- or half-width punctuation.

    Returns:
        The notice, with its sections as written. It is not checked against the law;
        :func:`check_notice` does that.

    >>> notice = parse_notice(
    ...     "现将2026年元旦安排通知如下。"
    ...     "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。"
    ... )
    >>> section = notice.sections[0]
    >>> (section.label, section.festival.label, section.stated_days)
    ('一、元旦', '元旦', 3)
    >>> [str(d) for d in section.days_off], [str(d) for d in section.workdays]
    (['2026-01-01', '2026-01-02', '2026-01-03'], ['2026-01-04'])

    Raises:
        ValidationError: The text is not a notice (no year, no section of days off;
            rule ``W4-not-a-notice``), or a section cannot be read: a date that does
            not exist, a span that ends before it starts, a date without what happens
            on it. Each problem names its section.
    """
    norm = text.translate(_HALF_WIDTH)
    chunks = _chunks(norm)
    if not chunks:
        raise _not_a_notice("no section arranging days off (M月D日…放假) was found")
    frame = _frame(text, norm, chunks[0].start, chunks[-1].end)
    year = _year(norm, frame.title, chunks[0].start)
    if year is None:
        raise _not_a_notice("no year was found (现将YYYY年…, or a year in the title)")
    sections: list[NoticeSection] = []
    problems: list[FieldProblem] = []
    for chunk in chunks:
        try:
            section = _section(norm, text, chunk, year)
        except _Unreadable as e:
            problems.append(
                FieldProblem(_chunk_label(norm, text, chunk), e.rule, e.message, e.accepted)
            )
            continue
        if section is not None:
            sections.append(section)
    if problems:
        raise ValidationError(_MODEL, problems)
    if not sections:
        raise _not_a_notice("no section arranging days off (M月D日…放假) was found")
    annual = bool(_ANNUAL_RE.search(frame.title or "") or _ANNUAL_RE.search(norm))
    amending = bool(
        _AMENDING_RE.search(frame.title or "") or _AMENDING_RE.search(norm[: chunks[0].start])
    )
    return HolidayNotice(
        year=year,
        title=frame.title,
        document_number=frame.document_number,
        issuer=frame.issuer,
        issued_on=frame.issued_on,
        supplementary=not annual and amending,
        sections=tuple(sections),
    )


# ------------------------------------------------------------------------------ checking


def _problem(section: NoticeSection | str, rule: str, message: str, accepted: str) -> FieldProblem:
    where = section if isinstance(section, str) else section.label
    return FieldProblem(where, rule, message, accepted)


def _weekday(day: date) -> str:
    return _WEEKDAY_NAMES[day.weekday()]


def _check_counts(section: NoticeSection) -> Iterator[FieldProblem]:
    if section.stated_days is None:
        several = [(a, b) for a, b in section.spans if a != b]
        if several:
            first, last = several[0]
            yield _problem(
                section,
                "W4-count-missing",
                f"the span {first} to {last} does not state how many days it is",
                f"共{(last - first).days + 1}天 after 放假",
            )
    elif section.days_off and section.stated_days != len(section.days_off):
        first, last = section.days_off[0], section.days_off[-1]
        yield _problem(
            section,
            "W4-span-length",
            f"共{section.stated_days}天 contradicts the days off, {first} to {last}, "
            f"which are {len(section.days_off)} days",
            f"共{len(section.days_off)}天, or a span of {section.stated_days} days",
        )


def _check_days(section: NoticeSection, notice: HolidayNotice) -> Iterator[FieldProblem]:
    for day in section.workdays:
        if day.weekday() < 5:  # noqa: PLR2004 -- Monday to Friday
            yield _problem(
                section,
                "W4-workday-weekday",
                f"the working day {day} (上班) is a {_weekday(day)}, not a weekend day",
                "a Saturday or a Sunday next to the festival",
            )
        if day in notice.holidays:
            yield _problem(
                section,
                "W4-off-and-work",
                f"{day} is both a day off and a working day",
                "each day either off (放假) or a working day (上班)",
            )
    for day, weekday in section.weekday_notes:
        if day.weekday() != weekday:
            yield _problem(
                section,
                "W4-weekday-note",
                f"{day} is noted as {_WEEKDAY_NAMES[weekday]} but is a {_weekday(day)}",
                f"({_weekday(day)}) or no weekday note",
            )
    first, last = date(notice.year - 1, 12, 1), date(notice.year + 1, 1, 31)
    named = (*section.days_off, *section.workdays)
    if section.extends_to is not None:
        named = (*named, section.extends_to)
    for day in named:
        if not first <= day <= last:
            yield _problem(
                section,
                "W4-year",
                f"{day} is not in {notice.year} or next to it",
                f"days from {first} to {last}",
            )


def _first_lunar_day(statutory: Sequence[StatutoryHoliday], year: int) -> date | None:
    """正月初一 of ``year``, as the statutory Spring Festival days place it."""
    spring = [h for h in statutory if h.festival is Festival.SPRING_FESTIVAL and h.days]
    if not spring:
        return None
    try:
        eve = law_in_force(year).spring_festival_eve
    except ValueError:
        return None
    return spring[0].days[0] + timedelta(days=1 if eve else 0)


def _lunar_candidates(  # noqa: PLR0911 -- one return per kind of lunar note
    note: str, section: NoticeSection, statutory: Sequence[StatutoryHoliday], new_year: date | None
) -> tuple[date, ...] | None:
    """The days a lunar note can name, or None if it cannot be checked here."""
    match = _LUNAR_RE.search("农历" + note)
    if match is None:
        return None
    if match["eve"]:
        return None if new_year is None else (new_year - timedelta(days=1),)
    month = {"正": 1, "腊": 12, "冬": 11}.get(match["m"]) or _cn_number(match["m"])
    day = _cn_number(match["d"])
    if month is None or day is None:
        return None
    if month == 1 and new_year is not None:
        return (new_year + timedelta(days=day - 1),)
    if month == 12 and new_year is not None:  # noqa: PLR2004 -- 腊月 has 29 or 30 days
        return tuple(new_year - timedelta(days=length - day + 1) for length in (29, 30))
    anchors = {5: (Festival.DRAGON_BOAT, 5), 8: (Festival.MID_AUTUMN, 15)}
    if month in anchors and anchors[month][0] in section.festivals:
        festival, anchor_day = anchors[month]
        for holiday in statutory:
            if holiday.festival is festival and holiday.days:
                return (holiday.days[0] + timedelta(days=day - anchor_day),)
    return None


def _check_lunar(
    section: NoticeSection, statutory: Sequence[StatutoryHoliday], new_year: date | None
) -> Iterator[FieldProblem]:
    for day, note in section.lunar_notes:
        candidates = _lunar_candidates(note, section, statutory, new_year)
        if candidates is not None and day not in candidates:
            yield _problem(
                section,
                "W4-lunar-note",
                f"{day} is noted as 农历{note}, which is {' or '.join(map(str, candidates))}",
                "a lunar note that names the date's lunar day, or none",
            )


def _check_law(
    notice: HolidayNotice, statutory: Sequence[StatutoryHoliday]
) -> Iterator[FieldProblem]:
    by_festival: dict[Festival, list[NoticeSection]] = {}
    for section in notice.sections:
        for festival in section.festivals:
            by_festival.setdefault(festival, []).append(section)
    given = {h.festival for h in statutory}
    for festival, sections in by_festival.items():
        if festival not in given:
            yield _problem(
                sections[0],
                "W4-festival-not-statutory",
                f"{festival.label} gives no day off under the law in force in {notice.year}",
                "、".join(h.festival.label for h in statutory),
            )
        if len(sections) > 1 and not notice.supplementary:
            yield _problem(
                sections[1],
                "W4-festival-twice",
                f"{festival.label} is arranged again, after {sections[0].label}",
                f"one section for {festival.label}",
            )
    for holiday in statutory:
        sections = by_festival.get(holiday.festival, [])
        if not sections:
            if not notice.supplementary:
                yield _problem(
                    holiday.festival.label,
                    "W4-festival-missing",
                    f"the notice has no section for {holiday.festival.label}",
                    f"a section arranging {', '.join(map(str, holiday.days))}",
                )
            continue
        yield from _check_statutory_days(holiday, sections)


def _check_statutory_days(
    holiday: StatutoryHoliday, sections: list[NoticeSection]
) -> Iterator[FieldProblem]:
    off = {d for s in sections for d in s.days_off}
    for section in sections:
        if (
            section.extends_to is not None
            and holiday.days
            and section.extends_to < holiday.days[-1]
        ):
            yield _problem(
                section,
                "W4-extension-short",
                f"{holiday.festival.label} is extended to {section.extends_to}, before its "
                f"statutory day {holiday.days[-1]}",
                f"an extension to a day after {holiday.days[-1]}",
            )
    if not off:
        return  # an extension names no span of its own
    missing = [d for d in holiday.days if d not in off]
    if missing:
        yield _problem(
            sections[0],
            "W4-statutory-outside",
            f"the statutory {holiday.festival.label} day(s) "
            f"{', '.join(map(str, missing))} lie outside the days off "
            f"{min(off)} to {max(off)}",
            f"days off that include {', '.join(map(str, holiday.days))}",
        )


def check_notice(notice: HolidayNotice, statutory: Sequence[StatutoryHoliday]) -> None:
    """Hold a notice against the law and against itself.

    Checked, section by section: the stated number of days (共N天) is the number of days
    off, and a span of several days states it; every statutory day of a festival lies
    inside the days off of its section (an annual notice has a section for every
    statutory festival; a supplementary one is checked only for what it names, and an
    extension must end after the statutory days); adjusted working days (上班) are
    weekend days; weekday and lunar notes name their dates; no day is both off and a
    working day; every day lies in the notice's year or next to it (December before,
    January after).

    Args:
        notice: The notice, as :func:`parse_notice` read it.
        statutory: The statutory holidays of the notice's year, as
            :func:`~secretarial.kernel.statutory_holidays` gives them.

    Raises:
        ValidationError: Listing every problem found, each naming its section
            (``"二、春节"``) or the festival missing, with a rule code of
            :data:`NOTICE_RULES`.
    """
    problems: list[FieldProblem] = []
    new_year = _first_lunar_day(statutory, notice.year)
    for section in notice.sections:
        problems.extend(_check_counts(section))
        problems.extend(_check_days(section, notice))
        if Festival.SPRING_FESTIVAL in section.festivals or not section.festivals:
            problems.extend(_check_lunar(section, statutory, new_year))
        else:
            problems.extend(_check_lunar(section, statutory, None))
    problems.extend(_check_law(notice, statutory))
    if problems:
        raise ValidationError(_MODEL, problems)
