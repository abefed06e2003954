"""The English side of the world's lexicon: real words, grouped by scene.

Scenes give the world its shared co-occurrence structure: a scene's verbs take the
scene's objects at the scene's places. Every synthetic language lexicalises exactly
these concepts, so what aligns across languages is the structure, not the spelling.
Data only; ``lexicon.py`` turns it into concepts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scene:
    """A topic: who acts in it, what they do, to what, how it is described, and where."""

    name: str
    roles: str  # person nouns that act in the scene ("the baker")
    nouns: str
    verbs: str
    adjectives: str
    places: str  # "noun@adposition": the adposition a place usually takes


SCENES: tuple[Scene, ...] = (
    Scene("kitchen", "cook baker chef waiter",
          "bread soup cake apple onion tomato rice cheese egg pie lemon carrot potato cookie sandwich salad peach knife pan",
          "bake eat slice taste boil fry peel serve stir chop",
          "fresh hot sweet salty ripe sour crispy spicy",
          "kitchen@in restaurant@at bakery@at cafe@at"),
    Scene("farm", "farmer shepherd",
          "cow sheep goat horse pig chicken duck tractor fence hay wheat corn seed cart bucket barrel",
          "feed milk plant harvest water plough herd shear",
          "young muddy healthy fat lazy brown noisy strong",
          "farm@on field@in barn@in meadow@in"),
    Scene("school", "teacher student pupil",
          "book pencil lesson poem map notebook exam essay chart story dictionary ruler sentence question",
          "read write study teach copy draw learn explain",
          "long short difficult simple thick thin clever careful",
          "school@at library@in classroom@in"),
    Scene("market", "merchant customer",
          "coat shoe hat dress basket bag ring watch scarf lamp carpet jacket glove umbrella mirror necklace",
          "wear carry wrap order choose try weigh count",
          "cheap expensive new leather woollen silk colourful tiny",
          "market@at shop@in store@in"),
    Scene("sea", "sailor fisherman",
          "boat fish net sail rope shell anchor crab wave oar lighthouse ship whale island",
          "catch row tie steer drag dive float mend",
          "blue wet heavy deep calm stormy wide salty",
          "harbour@in beach@on dock@at coast@on"),
    Scene("forest", "hunter ranger",
          "tree branch mushroom berry fox deer wolf bird nest log trail leaf stone owl squirrel",
          "climb hunt gather follow watch chase track cut",
          "green dark tall wild quiet huge shy old",
          "forest@in valley@in river@by mountain@on"),
    Scene("office", "manager clerk lawyer",
          "report contract email file computer printer desk budget invoice letter schedule folder stamp memo",
          "sign print type check approve review copy file",
          "urgent digital final official formal secret monthly brief",
          "office@in bank@at court@in"),
    Scene("music", "singer musician",
          "song guitar piano drum violin concert album melody tune flute choir record trumpet",
          "play sing compose tune hum practise perform rehearse",
          "loud slow famous catchy gentle rhythmic modern classical",
          "theatre@in studio@in hall@in"),
    Scene("workshop", "carpenter mechanic",
          "hammer nail saw chair table door wheel bicycle engine shelf ladder drawer screw cabinet",
          "repair paint polish sand drill measure glue assemble",
          "wooden metal rusty sturdy smooth rough plastic narrow",
          "workshop@in garage@in factory@in"),
    Scene("clinic", "doctor nurse",
          "medicine bandage pill wound tooth blanket bed bottle thermometer syringe mask lotion",
          "treat heal examine clean bandage measure inject wash",
          "sick pale sore warm sterile painful swollen tired",
          "hospital@in clinic@at pharmacy@at"),
    Scene("sport", "player coach",
          "ball goal race match team medal net racket helmet whistle trophy jersey",
          "kick throw score catch train coach pass hit",
          "fast fit proud golden rival tough quick young",
          "stadium@at park@in gym@in"),
    Scene("travel", "driver pilot tourist",
          "ticket suitcase train bus car passport postcard camera backpack map guide tent",
          "drive pack board book miss visit photograph rent",
          "crowded early late foreign narrow comfortable heavy empty",
          "station@at airport@at road@on hotel@in"),
)

# Evaluative verbs: (positive, negative) antonym pairs, and what they take as object.
EVALUATIVE_VERBS: tuple[tuple[str, str, str], ...] = (
    ("love", "hate", "both"), ("like", "dislike", "both"), ("praise", "criticise", "both"),
    ("admire", "despise", "both"), ("welcome", "reject", "both"), ("support", "oppose", "both"),
    ("thank", "blame", "person"), ("help", "hurt", "person"), ("trust", "doubt", "person"),
    ("reward", "punish", "person"), ("fix", "break", "thing"), ("build", "destroy", "thing"),
    ("accept", "refuse", "thing"), ("save", "waste", "thing"), ("protect", "damage", "thing"),
    ("enjoy", "ruin", "thing"),
)

# Neutral antonym pairs that take things from any scene.
NEUTRAL_PAIRS: tuple[tuple[str, str], ...] = (
    ("buy", "sell"), ("open", "close"), ("lend", "borrow"), ("send", "receive"), ("push", "pull"),
    ("fill", "empty"), ("lock", "unlock"), ("remember", "forget"), ("show", "hide"), ("win", "lose"),
    ("raise", "lower"), ("give", "take"),
)

# Verbs whose object is a person, without an antonym.
SOCIAL_VERBS = "meet greet call invite ignore introduce answer"

# Evaluative adjectives: sentiment is carried by these and by the evaluative verbs.
POSITIVE_ADJECTIVES = "good great wonderful beautiful excellent lovely delightful pleasant brilliant perfect charming superb nice splendid amazing elegant"
NEGATIVE_ADJECTIVES = "bad terrible awful ugly horrible poor dreadful nasty boring useless rotten dull miserable disgusting shabby filthy"

TIME_ADVERBS = "yesterday today recently earlier again finally suddenly quietly slowly quickly carefully happily"
ADPOSITIONS = "in at on by near behind outside"

# Words whose English realisation has a synonym: a paraphrase may use either.
SYNONYMS: dict[str, str] = {
    "buy": "purchase", "help": "assist", "build": "construct", "choose": "select", "repair": "restore",
    "show": "display", "give": "hand", "close": "shut", "examine": "inspect", "gather": "collect",
    "chase": "pursue", "hate": "loathe", "like": "fancy",
    "fast": "rapid", "quick": "speedy", "cheap": "inexpensive", "difficult": "hard", "wonderful": "marvellous",
    "terrible": "appalling", "beautiful": "pretty", "huge": "enormous", "tiny": "minute", "sick": "ill",
    "calm": "tranquil", "old": "ancient", "quiet": "silent",
    "car": "automobile", "shop": "boutique", "road": "street", "trail": "path", "boat": "vessel",
    "quickly": "rapidly", "suddenly": "abruptly", "finally": "eventually",
    "story": "tale", "medicine": "remedy", "song": "ballad", "hat": "cap",
}

IRREGULAR_PAST: dict[str, str] = {
    "eat": "ate", "fry": "fried", "stir": "stirred", "chop": "chopped", "feed": "fed", "read": "read",
    "write": "wrote", "teach": "taught", "copy": "copied", "draw": "drew", "learn": "learned",
    "study": "studied", "wear": "wore", "carry": "carried", "wrap": "wrapped", "choose": "chose",
    "try": "tried", "catch": "caught", "row": "rowed", "dive": "dove", "drag": "dragged",
    "cut": "cut", "sign": "signed", "sing": "sang", "hum": "hummed", "drill": "drilled",
    "kick": "kicked", "throw": "threw", "hit": "hit", "drive": "drove", "miss": "missed",
    "buy": "bought", "sell": "sold", "lend": "lent", "send": "sent", "forget": "forgot",
    "win": "won", "lose": "lost", "give": "gave", "take": "took", "hide": "hid", "meet": "met",
    "hurt": "hurt", "break": "broke", "build": "built", "begin": "began", "shut": "shut",
    "hand": "handed", "rent": "rented", "plan": "planned", "stop": "stopped", "ruin": "ruined",
    "pursue": "pursued", "construct": "constructed", "fancy": "fancied", "empty": "emptied",
    "mend": "mended", "tie": "tied", "float": "floated", "steer": "steered", "pass": "passed",
}

IRREGULAR_PLURAL: dict[str, str] = {
    "sheep": "sheep", "fish": "fish", "deer": "deer", "knife": "knives", "leaf": "leaves",
    "wolf": "wolves", "shelf": "shelves", "tooth": "teeth", "child": "children",
}
