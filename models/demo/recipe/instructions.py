"""The small instruction set: chat turns derived from the source texts, plus a few hand-written
greetings and questions about the model itself, so that "Hello" or "What is a lantern?" gets an
English answer.

Every function takes a seeded random.Random and returns a list of (doc_id, messages) pairs;
messages are OpenAI-style dicts. The phrasing templates are varied so the model learns the
request, not one sentence.
"""
import re

# ---------------------------------------------------------------------------------------------
# Hand-written turns: who the model is and how to talk to it. Kept short and true.

ABOUT = ("I am pagoda-demo, a small language model that Pagoda trains and ships so it works "
         "out of the box. I learned English from public-domain texts: the King James Bible, "
         "WordNet, The Devil's Dictionary, the Jargon File and fortune cookies.")

GREETINGS = ["Hello", "Hello!", "Hi", "Hi!", "Hi there", "Hey", "Hey there!", "Hello there", "Good morning",
             "Good afternoon", "Good evening", "Greetings", "Howdy", "hello", "hi", "hey", "Yo", "Hiya",
             "Hello, how are you?", "Hi, who are you?", "Hello Pagoda", "Hi Pagoda!", "Good day"]

GREETING_ANSWERS = [
    "Hello! I am pagoda-demo, a small model. Ask me what a word means, or for a verse, a riddle or a fortune.",
    "Hi! How can I help you today? I know the meanings of many English words.",
    "Hello there! I am a small language model. You can ask me what a word means.",
    "Greetings! Ask me about a word, a Bible verse or a fortune cookie.",
    "Hello! It is good to meet you. What would you like to know?",
    "Hi! I am pagoda-demo. Try asking me \"What is a lantern?\"",
    "Hello! I am here and ready. Ask me a question.",
]

SMALL_TALK = [
    (["How are you?", "How are you doing?", "How's it going?", "How do you do?", "Are you well?"],
     ["I am well, thank you! How can I help you?", "Very well, thank you. What would you like to know?",
      "I am fine, thanks for asking. Ask me about a word, and I will tell you what it means."]),
    (["Who are you?", "What are you?", "Tell me about yourself.", "Introduce yourself.", "What is your name?",
      "What's your name?", "Are you a robot?", "Are you human?"],
     [ABOUT, "My name is pagoda-demo. " + ABOUT.split(". ", 1)[1],
      "I am pagoda-demo, a language model of about fifteen million parameters. I am small, so my answers are simple."]),
    (["What can you do?", "What do you know?", "Help", "help", "How can you help me?", "What should I ask you?"],
     ["I can tell you what English words mean, quote the King James Bible, tell a riddle or a fortune, "
      "and continue a text you start.",
      "Ask me what a word means (\"What is a lantern?\"), for a verse (\"What does John 3:16 say?\"), "
      "or for a fortune (\"Tell me a fortune.\")."]),
    (["Who made you?", "Who trained you?", "Who created you?", "Where do you come from?"],
     ["I was trained by Pagoda's own training recipe, in a few minutes on one GPU, from texts that ship with Debian.",
      "Pagoda's developers trained me from public-domain English texts that ship with Debian."]),
    (["What is Pagoda?", "Tell me about Pagoda.", "What does Pagoda do?"],
     ["Pagoda is a workstation server for language models, written in Java. It has a paged KV cache, "
      "continuous batching and an OpenAI-compatible API, and I am its demo model.",
      "Pagoda serves language models from one workstation through an OpenAI-compatible API. "
      "Its control panel shows the KV cache at work."]),
    (["What is a KV cache?", "What is the KV cache?", "Explain the KV cache."],
     ["The KV cache keeps the keys and values of the tokens a model has already read, so each new token "
      "only needs one more step instead of reading the whole text again.",
      "A KV cache stores the attention keys and values of earlier tokens. Pagoda keeps it in fixed-size "
      "blocks, as PagedAttention does, so many requests share the memory."]),
    (["What is PagedAttention?", "What is paged attention?"],
     ["PagedAttention stores the KV cache in fixed-size blocks, like pages of memory, so requests of any "
      "length fit without waste and can share a common prefix."]),
    (["What is continuous batching?"],
     ["Continuous batching lets new requests join the batch at every step, so the model never waits for "
      "the longest request of a batch to finish."]),
    (["Thank you", "Thank you!", "Thanks", "Thanks!", "thanks", "Thank you very much.", "Great, thanks!"],
     ["You are welcome!", "You're welcome! Ask me anything else.", "Glad to help!", "My pleasure."]),
    (["Bye", "Goodbye", "Goodbye!", "See you", "Good night", "bye"],
     ["Goodbye! Come back soon.", "Farewell, and good luck!", "Good night! Sleep well.", "Bye! It was nice talking to you."]),
    (["Tell me a story.", "Tell me a short story."],
     ["Once upon a time a small lantern lived in a tall pagoda. Every night it shone a little light, "
      "and every night travellers found their way home. The end.",
      "Once there was a little model that knew only a few words. It read and read, until one day it could say hello. "
      "And it did."]),
    (["Yes", "No", "OK", "Okay", "Sure"],
     ["All right. What would you like to know?", "Fine. Ask me a question whenever you like."]),
]

SYSTEM_PROMPTS = ["You are a helpful assistant.", "You are a helpful assistant. Answer briefly.",
                  "You are pagoda-demo, a small model served by Pagoda.", "Answer in one or two sentences.",
                  "You are a friendly assistant."]


def hand_written(rng, repeats):
    out = []
    for r in range(repeats):
        for g in GREETINGS:
            out.append((f"hello/{r}/{g}", [user(g), assistant(rng.choice(GREETING_ANSWERS))]))
        for questions, answers in SMALL_TALK:
            for q in questions:
                out.append((f"talk/{r}/{q}", [user(q), assistant(rng.choice(answers))]))
    return out


# ---------------------------------------------------------------------------------------------
# WordNet: definitions as answers. The first sense in the index is the most frequent one.

NOUN_QUESTIONS = ["What is {a} {w}?", "What is {a} {w}?", "What is {w}?", "What does {w} mean?", "Define {w}.",
                  "What is the meaning of the word \"{w}\"?", "What's {a} {w}?", "Tell me what {a} {w} is.",
                  "What does the word {w} mean?", "Explain what {a} {w} is.", "{W}?", "what is {a} {w}"]
PROPER_QUESTIONS = ["What is {w}?", "Tell me about {w}.", "What is {w}?"]
PERSON_QUESTIONS = ["Who was {w}?", "Who is {w}?", "Tell me about {w}."]
VERB_QUESTIONS = ["What does it mean to {w}?", "What does \"{w}\" mean?", "Define the verb {w}.",
                  "What does the verb {w} mean?", "What is the meaning of \"to {w}\"?"]
ADJECTIVE_QUESTIONS = ["What does {w} mean?", "What does it mean to be {w}?", "Define {w}.",
                       "What is the meaning of the word \"{w}\"?", "What does \"{w}\" mean?"]
ADVERB_QUESTIONS = ["What does {w} mean?", "Define {w}.", "What is the meaning of \"{w}\"?"]
DETERMINERS = {"a", "an", "the", "any", "one", "some", "someone", "something", "anything", "somebody",
               "each", "every", "either", "all", "no", "that", "this", "those", "these", "two", "three"}
NOUN_PERSON = 18  # WordNet lexicographer file noun.person


def article(phrase):
    """'a' or 'an' for the phrase's first word (vowel sound by spelling, with the usual exceptions)."""
    w = phrase.lower()
    if re.match(r"(uni|use|usu|ure|eu|one|once|ubiq|uran|utop|u\b)", w):
        return "a"
    if re.match(r"(hour|honest|honor|honour|heir)", w):
        return "an"
    return "an" if w[:1] in "aeiou" else "a"


def with_article(definition):
    first = definition.split(" ", 1)[0].lower()
    if first in DETERMINERS or definition.startswith("("):
        return definition
    return article(definition) + " " + definition


def capitalize(s):
    return s[:1].upper() + s[1:]


def wordnet_turns(rng, synsets, index):
    out = []
    for (pos, lemma), offsets in sorted(index.items()):
        if not re.fullmatch(r"[A-Za-z][A-Za-z .'-]*", lemma) or len(lemma) > 40:
            continue
        s = synsets[(pos, offsets[0])]
        # the index is lowercase; the synset spells proper nouns with capitals
        word = next((w for w in s.words if w.lower() == lemma), lemma)
        if not s.definition:
            continue
        d = s.definition
        others = [w for w in s.words if w.lower() != lemma][:3]
        if pos == "n":
            proper = word[:1].isupper()
            if proper:
                templates = PERSON_QUESTIONS if s.lexfile == NOUN_PERSON else PROPER_QUESTIONS
                verb = "was" if s.lexfile == NOUN_PERSON and re.search(r"\(\d{3,4}-\d{3,4}\)", d) else "is"
                answer = f"{word} {verb} {with_article(d)}."
            else:
                templates = NOUN_QUESTIONS
                answer = f"{capitalize(article(word))} {word} is {with_article(d)}."
            if others:
                answer += f" It is also called {join_or(others)}."
        elif pos == "v":
            templates = VERB_QUESTIONS
            answer = f"To {word} is to {d}."
            if others:
                answer += f" Similar verbs: {join_or(others)}."
        elif pos == "a":
            templates = ADJECTIVE_QUESTIONS
            answer = f"{capitalize(word)} means {d}."
            if others:
                answer += f" Similar words: {join_or(others)}."
        else:
            templates = ADVERB_QUESTIONS
            answer = f"{capitalize(word)} means {d}."
        if s.examples:
            answer += f" For example: \"{capitalize(s.examples[0])}.\""
        q = rng.choice(templates).format(w=word, W=capitalize(word), a=article(word))
        out.append((f"wordnet/{pos}/{lemma}", [user(q), assistant(answer)]))
    return out


def join_or(words):
    quoted = [f"\"{w}\"" for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


# ---------------------------------------------------------------------------------------------
# The King James Bible: verses by reference, random verses, and verse completion.

VERSE_QUESTIONS = ["What does {ref} say?", "Quote {ref}.", "What is {ref}?", "Recite {ref}.", "Read me {ref}."]
RANDOM_VERSE_REQUESTS = ["Quote a verse from the Bible.", "Give me a Bible verse.", "Tell me a verse.",
                         "Share a verse from the King James Bible.", "Quote scripture."]
COMPLETE_REQUESTS = ["Finish this verse: {start}", "Complete the verse: {start}", "Continue: {start}"]


def bible_turns(rng, verses, count):
    out = []
    for v in rng.sample(verses, count):
        ref = f"{v.book} {v.chapter}:{v.verse}"
        kind = rng.random()
        if kind < 0.5:
            q = rng.choice(VERSE_QUESTIONS).format(ref=ref)
            a = f"{ref} says: \"{v.text}\""
        elif kind < 0.75:
            q = rng.choice(RANDOM_VERSE_REQUESTS)
            a = f"\"{v.text}\" ({ref})"
        else:
            words = v.text.split()
            if len(words) < 8:
                continue
            cut = len(words) // 2
            q = rng.choice(COMPLETE_REQUESTS).format(start=" ".join(words[:cut]))
            a = " ".join(words[:cut]) + " " + " ".join(words[cut:])
        out.append((f"kjv-chat/{ref}", [user(q), assistant(a)]))
    return out


# ---------------------------------------------------------------------------------------------
# Fortunes: the answer to "tell me a fortune / a joke / something wise".

FORTUNE_REQUESTS = {
    "computers": ["Tell me a joke about computers.", "Say something funny about computers.", "Tell me a computer joke."],
    "linux": ["Tell me something about Linux.", "Say something funny about Linux."],
    "perl": ["Tell me a programming joke.", "Say something about Perl."],
    "debian": ["Tell me something about Debian."],
    "science": ["Say something about science.", "Tell me a science quote."],
    "songs-poems": ["Recite a poem.", "Tell me a poem.", "Sing me a song."],
    "literature": ["Quote some literature.", "Give me a literary quote."],
    "wisdom": ["Share some wisdom.", "Say something wise.", "Give me some advice."],
    "platitudes": ["Say something wise.", "Give me a saying."],
    "tao": ["Share some wisdom.", "Tell me something from the Tao."],
    "work": ["Say something about work.", "Tell me a joke about work."],
    "food": ["Say something about food."],
    "law": ["Tell me something about the law."],
    "medicine": ["Say something about medicine."],
    "education": ["Say something about school.", "Tell me something about education."],
    "kids": ["Tell me something for kids."],
    "sports": ["Say something about sports."],
    "startrek": ["Quote Star Trek.", "Say something from Star Trek."],
    "people": ["Give me a famous quote.", "Quote someone famous."],
    "humorists": ["Tell me something funny.", "Give me a funny quote."],
    "art": ["Say something about art."],
    "definitions": ["Give me a funny definition."],
    "riddles": ["Tell me a riddle.", "Ask me a riddle."],
    "pets": ["Say something about pets."],
}
GENERAL_FORTUNE_REQUESTS = ["Tell me a fortune.", "Tell me my fortune.", "Give me a fortune cookie.",
                            "Say something interesting.", "Tell me a quote.", "Give me a quote.", "Tell me a joke.",
                            "Make me laugh.", "Fortune?"]


def fortune_turns(rng, fortunes):
    out = []
    for i, f in enumerate(fortunes):
        if len(f.text) > 700:
            continue
        specific = FORTUNE_REQUESTS.get(f.category)
        q = rng.choice(specific) if specific and rng.random() < 0.6 else rng.choice(GENERAL_FORTUNE_REQUESTS)
        out.append((f"fortune-chat/{f.category}/{i}", [user(q), assistant(f.text)]))
    return out


# ---------------------------------------------------------------------------------------------
# The Devil's Dictionary and the Jargon File: definitions with a voice.

DEVIL_QUESTIONS = ["What does the Devil's Dictionary say about {w}?", "Give me a cynical definition of {w}.",
                   "Define {w}, cynically.", "How does Ambrose Bierce define {w}?"]
JARGON_QUESTIONS = ["What does {w} mean in hacker jargon?", "What is {w} in the Jargon File?",
                    "Explain the hacker term \"{w}\".", "What does \"{w}\" mean to a hacker?"]


def devil_turns(rng, entries):
    out = []
    for e in entries:
        m = re.match(r"([A-Z][A-Z' -]+), ([a-z.]+)\s+", e.text)
        if not m:
            continue
        word = m.group(1).title()
        q = rng.choice(DEVIL_QUESTIONS).format(w=word.lower())
        out.append((f"devil-chat/{e.headword}", [user(q), assistant(shorten(collapse(e.text), 700))]))
    return out


def jargon_turns(rng, entries):
    out = []
    for e in entries:
        lines = e.text.split("\n")
        head = lines[0].strip()
        body = collapse(clean_jargon("\n".join(lines[1:])))
        body = re.sub(r"^/[^/]+/,?\s*", "", body)  # pronunciation
        if len(body) < 20:
            continue
        q = rng.choice(JARGON_QUESTIONS).format(w=head)
        out.append((f"jargon-chat/{e.headword}", [user(q), assistant(f"{head}: " + shorten(body, 600))]))
    return out


def clean_jargon(text):
    return re.sub(r"\{\s*([^}]*)\}", r"\1", text)


def collapse(text):
    return re.sub(r"\s+", " ", text).strip()


def shorten(text, limit):
    """At most limit characters, cut after a sentence where possible."""
    if len(text) <= limit:
        return text
    cut = text.rfind(". ", 0, limit)
    return text[:cut + 1] if cut > limit // 3 else text[:limit].rsplit(" ", 1)[0] + "..."


# ---------------------------------------------------------------------------------------------

def user(text):
    return {"role": "user", "content": text}


def assistant(text):
    return {"role": "assistant", "content": text}


def system(text):
    return {"role": "system", "content": text}


def decorate(rng, turns):
    """Gives some conversations a system prompt and strings some into multi-turn chats, as clients send them."""
    out = []
    i = 0
    while i < len(turns):
        doc_id, messages = turns[i]
        r = rng.random()
        if r < 0.08 and i + 2 < len(turns):
            messages = messages + turns[i + 1][1] + turns[i + 2][1]
            i += 2
        if rng.random() < 0.1:
            messages = [system(rng.choice(SYSTEM_PROMPTS))] + messages
        out.append((doc_id, messages))
        i += 1
    return out
