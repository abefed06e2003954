"""The official languages of each benchmark task, and the task-specific codes for them.

xitt writes languages as ISO 639-1 codes; some releases use their own (Tatoeba's ISO 639-3,
the XTREME hub copy of UD's English names), listed here once.
"""

from __future__ import annotations

XNLI = ("ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh")
PAWSX = ("de", "en", "es", "fr", "ja", "ko", "zh")
XCOPA = ("et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh")
XQUAD = ("ar", "de", "el", "en", "es", "hi", "ro", "ru", "th", "tr", "vi", "zh")
MLQA = ("ar", "de", "en", "es", "hi", "vi", "zh")
TYDIQA = ("ar", "bn", "en", "fi", "id", "ko", "ru", "sw", "te")
LAREQA = ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh")
MEWSLI_X = ("ar", "de", "en", "es", "fa", "ja", "pl", "ro", "ta", "tr", "uk")
BUCC = ("de", "fr", "ru", "zh")

# UD-POS: XTREME's 33 languages, and the 5 XTREME-R added (lt, pl, ro, uk, wo).
UDPOS_XTREME = ("af", "ar", "bg", "de", "el", "en", "es", "et", "eu", "fa", "fi", "fr", "he", "hi", "hu", "id",
                "it", "ja", "kk", "ko", "mr", "nl", "pt", "ru", "ta", "te", "th", "tl", "tr", "ur", "vi", "yo",
                "zh")
UDPOS = tuple(sorted(UDPOS_XTREME + ("lt", "pl", "ro", "uk", "wo")))
# The language names of the hub copy (google/xtreme, config "udpos.<Name>"); XTREME's 33 only.
UDPOS_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "kk": "Kazakh", "ko": "Korean", "mr": "Marathi", "nl": "Dutch", "pt": "Portuguese", "ru": "Russian",
    "ta": "Tamil", "te": "Telugu", "th": "Thai", "tl": "Tagalog", "tr": "Turkish", "ur": "Urdu",
    "vi": "Vietnamese", "yo": "Yoruba", "zh": "Chinese",
}

# WikiANN / PAN-X: XTREME's 40 languages, and the 8 XTREME-R added.
PANX_XTREME = ("af", "ar", "bg", "bn", "de", "el", "en", "es", "et", "eu", "fa", "fi", "fr", "he", "hi", "hu",
               "id", "it", "ja", "jv", "ka", "kk", "ko", "ml", "mr", "ms", "my", "nl", "pt", "ru", "sw", "ta",
               "te", "th", "tl", "tr", "ur", "vi", "yo", "zh")
PANX = tuple(sorted(PANX_XTREME + ("az", "gu", "lt", "pa", "pl", "qu", "ro", "uk")))

# Tatoeba as XTREME uses it (LASER's v1 release): 36 languages, each aligned with English.
TATOEBA_CODES = {
    "af": "afr", "ar": "ara", "bg": "bul", "bn": "ben", "de": "deu", "el": "ell", "es": "spa", "et": "est",
    "eu": "eus", "fa": "pes", "fi": "fin", "fr": "fra", "he": "heb", "hi": "hin", "hu": "hun", "id": "ind",
    "it": "ita", "ja": "jpn", "jv": "jav", "ka": "kat", "kk": "kaz", "ko": "kor", "ml": "mal", "mr": "mar",
    "nl": "nld", "pt": "por", "ru": "rus", "sw": "swh", "ta": "tam", "te": "tel", "th": "tha", "tl": "tgl",
    "tr": "tur", "ur": "urd", "vi": "vie", "zh": "cmn",
}
TATOEBA = tuple(sorted(TATOEBA_CODES))

# TyDiQA names each example's language in its id: "arabic-2387335860751143628-1".
TYDIQA_NAMES = {
    "ar": "arabic", "bn": "bengali", "en": "english", "fi": "finnish", "id": "indonesian", "ko": "korean",
    "ru": "russian", "sw": "swahili", "te": "telugu",
}

# XTREME's machine-translated SQuAD v1.1 training sets (translate-train).
SQUAD_TRANSLATE_TRAIN = ("ar", "de", "el", "es", "hi", "ru", "th", "tr", "vi", "zh")
