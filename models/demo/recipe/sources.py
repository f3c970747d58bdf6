"""Readers for the Debian-packaged texts the demo model learns from.

Each reader returns plain Python records; nothing here decides how they become training text
(prepare.py and instructions.py do). Install the packages first:

    apt-get install -y bible-kjv bible-kjv-text fortunes fortunes-min dict-devil dict-jargon wordnet-base

Licences (from /usr/share/doc/<package>/copyright) are listed in models/demo/README.md.
"""
import base64
import gzip
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

FORTUNES = Path("/usr/share/games/fortunes")
DICTD = Path("/usr/share/dictd")
WORDNET = Path("/usr/share/wordnet")

# Fortune files whose jokes a demo model should not repeat (ethnic, sexual, political, drug
# humour), or that are not prose (ASCII art, IRC logs, non-English, Zippy's non sequiturs).
FORTUNE_FILES_LEFT_OUT = {"ascii-art", "drugs", "ethnic", "men-women", "politics", "knghtbrd",
                          "translate-me", "zippy", "linuxcookie", "love"}


@dataclass(frozen=True)
class Verse:
    book: str
    chapter: int
    verse: int
    text: str


@dataclass(frozen=True)
class Fortune:
    category: str  # the fortune file's name: wisdom, computers, riddles, ...
    text: str


@dataclass(frozen=True)
class DictEntry:
    headword: str
    text: str  # the whole entry as the dictionary prints it, headword line included


@dataclass(frozen=True)
class Synset:
    pos: str            # n, v, a (s = satellite adjective, folded into a), r
    lexfile: int        # WordNet lexicographer file number (18 = noun.person)
    words: tuple        # lemmas with spaces, as written (case kept)
    definition: str
    examples: tuple     # example sentences from the gloss, without quotes


def kjv_verses():
    """Every verse of the King James Version, in canonical order, from the `bible` program."""
    out = subprocess.run(["bible", "-l10000", "Gen1:1-Rev22:21"], check=True, capture_output=True, text=True).stdout
    verses, book, chapter = [], None, None
    for line in out.splitlines():
        header = re.fullmatch(r"(\S.*?) (\d+)", line)
        if header:
            book, chapter = header.group(1), int(header.group(2))
            continue
        m = re.fullmatch(r"\s+(\d+) (.*)", line)
        if m:
            verses.append(Verse(book, chapter, int(m.group(1)), m.group(2).strip()))
    if len(verses) != 31102:
        raise SystemExit(f"expected the 31102 verses of the KJV, read {len(verses)}")
    return verses


def fortunes():
    """Fortune cookies from fortunes and fortunes-min, minus FORTUNE_FILES_LEFT_OUT, tabs expanded."""
    out = []
    for f in sorted(FORTUNES.iterdir()):
        if f.suffix or f.name in FORTUNE_FILES_LEFT_OUT or not f.is_file():
            continue
        for cookie in f.read_text(encoding="latin-1").split("\n%\n"):
            text = cookie.expandtabs(4).strip("\n%").rstrip()
            if text.strip():
                out.append(Fortune(f.name, text))
    return out


def dict_entries(name):
    """Entries of a dictd database (devil, jargon): the .index gives base64 offsets into the .dict.dz."""
    data = gzip.open(DICTD / f"{name}.dict.dz").read()
    entries = []
    for line in (DICTD / f"{name}.index").read_text(encoding="utf-8").splitlines():
        head, off, length = line.split("\t")
        if head.startswith("00"):
            continue  # dictfmt's own database info entries
        start, size = _b64(off), _b64(length)
        text = data[start:start + size].decode("utf-8").strip()
        entries.append(DictEntry(head, text))
    return entries


def _b64(s):
    """dictd's offset encoding: base64 digits, most significant first."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    n = 0
    for ch in s:
        n = n * 64 + alphabet.index(ch)
    return n


def wordnet():
    """(synsets by (pos, offset), lemma index) from WordNet 3.0's data.* and index.* files.

    The index lists each lemma's senses most frequent first, so index[(pos, lemma)][0] is the
    sense a plain "What is X?" means."""
    synsets = {}
    for pos, name in (("n", "noun"), ("v", "verb"), ("a", "adj"), ("r", "adv")):
        for line in (WORDNET / f"data.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue  # licence header
            fields, _, gloss = line.partition(" | ")
            f = fields.split()
            offset, lexfile, count = f[0], int(f[1]), int(f[3], 16)
            words = tuple(re.sub(r"\([a-z]+\)$", "", f[4 + 2 * i]).replace("_", " ") for i in range(count))
            definition, examples = _split_gloss(gloss.strip())
            synsets[(pos, offset)] = Synset(pos, lexfile, words, definition, examples)
    index = {}
    for pos, name in (("n", "noun"), ("v", "verb"), ("a", "adj"), ("r", "adv")):
        for line in (WORDNET / f"index.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue
            f = line.split()
            lemma, synset_count, pointer_count = f[0], int(f[2]), int(f[3])
            offsets = f[6 + pointer_count:6 + pointer_count + synset_count]
            index[(pos, lemma.replace("_", " "))] = offsets
    return synsets, index


def _split_gloss(gloss):
    """A WordNet gloss is 'definition; "example"; "example"' (examples may be missing)."""
    examples = tuple(e.strip() for e in re.findall(r'"([^"]+)"', gloss))
    definition = gloss.split('; "')[0].split(' "')[0].strip().rstrip(";").strip()
    return definition, examples
