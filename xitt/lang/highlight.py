"""A Pygments lexer for .xitt files: colours source lines in error messages, and editors
or ``pygmentize -l xitt`` can use it (registered under the ``pygments.lexers`` entry point).

Token classes follow the grammar (``xitt/lang/xitt.lark``); a test checks that every
statement keyword of the grammar is a keyword here, so the two cannot drift apart.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text, Whitespace

STATEMENT_KEYWORDS = (
    "experiment", "import", "let", "world", "model", "tasks", "train", "seeds",
    "similarity", "correlate", "compare", "report", "data",
)
CLAUSE_KEYWORDS = ("eval", "per", "with", "vs", "to", "mix")
CONSTANTS = ("true", "false")


class XittLexer(RegexLexer):
    """The .xitt study language."""

    name = "xitt"
    aliases = ["xitt"]
    filenames = ["*.xitt"]
    mimetypes = ["text/x-xitt"]

    tokens = {
        "root": [
            (r"[ \t\f\r\n]+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"([^"\\\n]|\\.)*"', String.Double),
            (r'"[^\n]*', String.Double),  # an unclosed string: still coloured as one
            (words(STATEMENT_KEYWORDS + CLAUSE_KEYWORDS, suffix=r"\b"), Keyword),
            (words(CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (r"\$[A-Za-z_][A-Za-z0-9_]*", Name.Variable),
            (r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?(?=\.\.)", Number),  # 1..3: the start of a range
            (r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?", Number),
            (r"\.\.", Operator),
            (r"[A-Za-z_][A-Za-z0-9_]*(?=\s*\()", Name.Function),
            (r"[A-Za-z_][A-Za-z0-9_]*", Name),
            (r"[@|+\-*=]", Operator),
            (r"[(){}\[\],:.]", Punctuation),
            (r".", Text),  # anything else (a stray character in a broken file)
        ]
    }
