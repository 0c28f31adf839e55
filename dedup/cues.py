"""Boilerplate cue phrases, by category and language: fr, en, de, es, it in depth; pl, ru,
tr, ar, zh, pt, nl for the commonest labels (advertising, share, read-also, cookies).

Two kinds of cue, because they carry different risk:
- ``LINE_CUES`` match a whole short line (navigation labels such as "Tendance" or
  "Read more"); they never touch a sentence that merely contains the word.
- ``PHRASE_CUES`` are phrases specific enough to mark a line as boilerplate wherever they
  occur ("nous utilisons des cookies", "do not necessarily reflect"), but only on lines
  shorter than ``MAX_PHRASE_CUE_WORDS`` so a long article paragraph is never dropped for
  quoting one.
Patterns are matched case-insensitively against the line with accents kept; write them in
lower case (phrase cues are searched in the lower-cased line).  Scripts
without spaces between words (zh) get line cues only: a phrase cue would be tested on a
whole paragraph, which counts as one "word".
"""
from __future__ import annotations

import re

MAX_PHRASE_CUE_WORDS = 80

# category -> regexes that must match the WHOLE line (after stripping punctuation at the ends)
LINE_CUES: dict[str, list[str]] = {
    "navigation": [
        # fr
        r"doit lire", r"derniers articles", r"tendances?", r"voir plus", r"lire (aussi|la suite|plus)",
        r"à lire aussi", r"plus de l'auteur", r"articles? (similaires|liés|connexes)", r"sur le même sujet",
        r"newsletter", r"accueil", r"menu", r"rechercher", r"publié le", r"mis à jour le", r"on",
        r"l'info de a à z.*", r"les plus lus", r"populaires?", r"vidéos?", r"commentaires?( \(\d+\))?", r"\d+ commentaires?", r"retour en haut",
        # en
        r"must read", r"latest (news|articles|stories)", r"trending( now)?", r"see more", r"read more",
        r"related (articles|stories|posts)", r"more from (the )?author", r"most read", r"popular", r"home",
        r"search", r"comments?( \(\d+\))?", r"\d+ comments?", r"published", r"updated", r"back to top", r"loading\.*", r"advertisement",
        r"sponsored", r"recommended( for you)?", r"you may also like",
        r"(the )?(story|article) continues (below|after)( (the |this )?(advertisement|ad))?", r"continue reading( below)?",
        # de
        r"weiterlesen", r"mehr (lesen|zum thema|anzeigen)", r"meistgelesen", r"startseite", r"suche",
        r"das könnte sie auch interessieren", r"anzeige", r"werbung", r"den (vollständigen|ganzen) artikel lesen",
        # es
        r"leer más", r"ver más", r"lo más leído", r"noticias relacionadas", r"inicio", r"buscar",
        r"publicidad", r"te puede interesar",
        # it
        r"leggi (anche|di più)", r"più letti", r"articoli correlati", r"cerca", r"pubblicità",
        r"potrebbe interessarti", r"mostra (di più|altro)",
        # en (more)
        r"read next", r"up next", r"more stories",
        # pl
        r"czytaj (też|także|więcej|dalej)", r"zobacz (też|także|więcej)", r"najczęściej czytane", r"polecamy",
        # ru
        r"читайте (также|далее|еще|ещё)", r"читать (далее|полностью)", r"смотрите также", r"подробнее", r"популярное",
        # tr
        r"ilgili haberler", r"devamını oku", r"haberin devamı", r"en çok okunanlar", r"daha fazla",
        # ar
        r"اقرأ (أيضا|أيضاً|ايضا|المزيد)", r"الأكثر (قراءة|مشاهدة)", r"(أخبار|مواضيع|مقالات) ذات صلة",
        # zh
        r"相关(新闻|阅读|文章)", r"延伸阅读", r"阅读(更多|全文)", r"热门(文章|新闻)", r"相關(新聞|閱讀)",
        # pt
        r"leia (também|mais)", r"veja também", r"mais lidas", r"notícias relacionadas",
        # nl
        r"lees (ook|meer|verder)", r"meest gelezen", r"gerelateerde artikelen",
        # skip links, audio players, read-also lines with their headline
        r"skip to (the )?(main )?content", r"zum inhalt springen", r"ir al contenido", r"aller au contenu( principal)?",
        r"listen to (this|the) (article|story)", r"écouter (cet|l')article", r"artikel (anhören|vorlesen)",
        r"(à )?lire aussi ?[:|] [^.!?]{1,100}", r"lesen sie auch ?[:|]?( [^.!?]{1,100})?", r"lee también ?[:|]?( [^.!?]{1,100})?",
        r"te recomendamos", r"tiempo de lectura:? \d+ min(utos)?\.?", r"temps de lecture:? \d+ min(utes)?\.?",
        r"advertisement - scroll to continue",
        # a page's own stamps, dated: "Publié le 12 mars 2025 à 10h32", "Stand: 04.03.2025 14:32 Uhr"
        r"(publié|mis à jour|modifié) le( [a-z]+)? (\d{1,2}(er)? [a-zéû]+ \d{4}|\d{1,2}/\d{1,2}/\d{4})( à \d{1,2}h\d{2})?"
        r"(, (modifié|mis à jour) le( [a-z]+)? (\d{1,2}(er)? [a-zéû]+ \d{4}|\d{1,2}/\d{1,2}/\d{4})( à \d{1,2}h\d{2})?)?",
        r"stand: \d{1,2}\.\d{1,2}\.\d{2,4},?( \d{1,2}:\d{2}( uhr)?)?",
        r"actualizado:? \d{1,2}[ /]([a-z]{3,4}\.?|\d{1,2})[ /]\d{2,4}( ?-? ?\d{1,2}:\d{2}( [a-z]{3,4})?)?",
        # syndication and house notes
        r"dieser artikel erschien zuerst (auf|bei|im|in) [^.]{1,60}(\.[a-z]{2,4})?",
        r"this (article|story) (was )?(first|originally) (appeared|published) (on|in|by) [^.]{1,60}(\.[a-z]{2,4})?(\. read the original( article)?)?",
        r"cet article a (d'abord|initialement) été publié (sur|dans|par) [^.]{1,60}(\.[a-z]{2,4})?",
        r"our standards: the thomson reuters trust principles",
    ],
    "copyright": [
        r"(©|copyright ©) ?\d{4}( [^ .,]+){0,6}\.?( (all rights reserved|tous droits réservés|alle rechte vorbehalten|todos los derechos reservados)\.?)?",
    ],
    "share": [
        r"partagez( cet article)?", r"partager( sur .*)?", r"suivez[- ]nous( sur)?", r"share( this( article| story)?)?",
        r"follow us( on)?", r"send this (page|article|story) to someone( via e-?mail)?", r"teilen", r"folgen sie uns", r"compartir", r"síguenos( en)?", r"condividi",
        r"seguici( su)?", r"jetzt teilen", r"comparte esta noticia( en (tus )?redes sociales)?", r"udostępnij", r"podziel się", r"поделиться", r"paylaş", r"شارك", r"مشاركة",
        r"分享(到)?", r"compartilh(e|ar)", r"deel( dit artikel)?", r"delen", r"(facebook|twitter|x|linkedin|whatsapp|telegram|email|e-mail|imprimer|print)([ ,|/]+(facebook|twitter|x|linkedin|whatsapp|telegram|email|e-mail|imprimer|print))*",
    ],
    "cookie-consent": [r"toujours actif", r"always active", r"immer aktiv", r"siempre activo", r"sempre attivo",
                        r"accepter( tout)?", r"accept( all)?", r"refuser( tout)?", r"reject all", r"alle akzeptieren"],
    "advertisement": [r"-?\s*publicité\s*-?\s*(spot_img)?", r"-?\s*contenu exclusif\s*-?\s*(spot_img)?", r"spot_img",
                      r"-?\s*advertisement\s*-?", r"-?\s*anzeige\s*-?", r"-?\s*publicidad\s*-?", r"-?\s*pubblicità\s*-?",
                      r"-?\s*reklama\s*-?", r"-?\s*реклама\s*-?", r"-?\s*reklam\s*-?", r"-?\s*إعلان\s*-?", r"-?\s*广告\s*-?",
                      r"-?\s*publicidade\s*-?", r"-?\s*advertentie\s*-?"],
    "widget": [r"-?\d{1,2}([.,]\d)?\s*°?\s*[cf]"],  # weather widget "14.5 C"
}

# category -> phrases that mark a (not too long) line as boilerplate wherever they occur
PHRASE_CUES: dict[str, list[str]] = {
    "cookie-consent": [
        r"nous utilisons (des|les) cookies", r"aucun cookie à afficher", r"les cookies qui sont", r"ces cookies (aident|ne stockent|permettent)", r"cookies? (nécessaires|fonctionnels|analytiques|de performance|de publicité)",
        r"préférences en matière de consentement", r"gérer (le|vos) consentement", r"nous utilisons votre inscription",
        r"we use cookies", r"cookie (settings|policy|preferences)", r"(accept|manage) (all )?cookies", r"consent preferences",
        r"wir verwenden cookies", r"cookie-einstellungen", r"utilizamos cookies", r"política de cookies",
        r"utilizziamo (i )?cookie", r"informativa sui cookie",
        r"akzeptieren und schließen", r"regeln der cookie-?nutzung", r"cookies-nutzung",
        r"(używa|wykorzystuje|stosuje) (plików |pliki )?cookies?", r"polityk[aię] (plików )?cookies?",
        r"(используе[мт]|применяе[мт]) (файлы )?cookie", r"файл(ы|ов) cookie",
        r"çerez(ler)?i? (kullanıyoruz|kullanılmaktadır|politikası)", r"ملفات تعريف الارتباط", r"wij gebruiken cookies",
    ],
    # Anti-bot pages served instead of the article (a scrape that failed): nothing to keep.
    "blocked-page": [
        r"(i am|i'm) not a robot", r"je ne suis pas un robot", r"ich bin kein roboter", r"no soy un robot",
        r"non sono un robot", r"nie jestem robotem", r"unusual traffic from your (computer )?network",
        r"misused the ip address", r"nadużył adresu ip", r"(connections|requests) from the ip address you",
        r"odnotowaliśmy ogromną ilość połączeń", r"twój adres ip\s*:",
    ],
    "copyright": [r"all rights reserved", r"tous droits réservés", r"alle rechte vorbehalten", r"todos los derechos reservados",
                  r"this material may not be published, broadcast"],
    # A paywall's teaser line: the rest of the article is not in the page.
    "paywall": [
        r"la suite de cet article est réservée aux abonnés", r"cet article est réservé aux abonnés", r"déjà abonné ?\?",
        r"weiterlesen mit [^ ]{1,40}(\+| plus)", r"sie sind bereits abonnent", r"este contenido es exclusivo para suscriptores",
        r"¿ya eres suscriptor", r"this (article|story|content) is (only )?(available|reserved) (to|for) subscribers",
    ],
    "newsletter": [
        r"get [^.]{0,60}delivered (straight )?to your inbox", r"newsletter kostenlos abonnieren", r"apúntate gratis a nuestra newsletter",
        r"inscrivez-vous à (notre|la) newsletter", r"abonnez-vous", r"recevez (nos|les) .{0,40}(newsletter|actualités|dans votre boîte)",
        r"nous ne spamm?ons pas", r"vous désinscrire à tout moment",
        r"soyez (le premier|la première) informée?", r"pour rester informée? des actualités",
        r"sign up (for|to) (our|the) newsletter", r"subscribe (to|now)", r"we don'?t spam", r"unsubscribe at any time",
        r"newsletter abonnieren", r"jetzt abonnieren",
        r"suscríbete", r"suscribirse a (nuestro|el) boletín", r"iscriviti alla (nostra )?newsletter",
        r"zapisz się (do|na) newsletter", r"подпи(сывайтесь|шитесь) на (наш[ие]? )?(канал|рассылку|telegram|новости)",
        r"bültenimize abone", r"اشترك (في|فى) (النشرة|نشرتنا)", r"assine (a|nossa) newsletter", r"schrijf je in voor (de|onze) nieuwsbrief",
    ],
    # A site's own privacy policy; checked apart (see `match_cue`): an article names other
    # companies' policies in its sentences ("Google's privacy policy changes...").
    "privacy-policy": [
        r"privacy policy", r"politique de confidentialité", r"datenschutzerklärung", r"política de privacidad",
        r"informativa (sulla )?privacy",
    ],
    # Requests for money to the site, not article text.
    "donation": [
        r"support (our|independent|quality) journalism", r"donate (now|today)", r"soutenez (notre|la) rédaction",
        r"faites un don", r"unterstützen sie (uns|unseren journalismus)", r"wesprzyj nas", r"поддержите (нас|редакцию)",
        r"التبرع للموقع", r"ادعم(نا|ونا)",
    ],
    "disclaimer": [
        r"^avertissement\s*:", r"^disclaimer", r"ne (sont|reflètent) pas nécessairement", r"relèvent de leur (propre )?responsabilité",
        r"traductions? (neuronales?|automatiques?)", r"versions? traduites?", r"reportez-vous toujours à l'article original",
        r"do(es)? not necessarily (reflect|represent)", r"views expressed", r"machine[- ]translat", r"automatically translated",
        r"geben nicht (unbedingt|notwendigerweise) die meinung", r"no reflejan necesariamente", r"traducción automática",
        r"non riflettono necessariamente", r"traduzione automatica",
    ],
    "advertisement": [r"- publicité -", r"spot_img", r"- advertisement -", r"- anzeige -"],
    "share": [r"partagez cet article", r"share this (article|story)", r"diesen artikel teilen", r"comparte este artículo", r"condividi (questo )?articolo"],
}


def _group(category: str) -> str:
    return category.replace("-", "_")


# One alternation with a named group per category: a line is scanned once, not once per
# category (measured: phrase-cue search was two thirds of cleaning time).
_ALL_LINE_CUES = re.compile(
    "^(?:" + "|".join(f"(?P<{_group(c)}>{'|'.join(p)})" for c, p in LINE_CUES.items()) + ")$", re.IGNORECASE
)
# Phrase cues are written in lower case and searched in the lower-cased line: three times
# faster than re.IGNORECASE over this many alternatives (bench: 147 -> 50 us a line).
_ALL_PHRASE_CUES = re.compile("|".join(f"(?P<{_group(c)}>{'|'.join(p)})" for c, p in PHRASE_CUES.items()))


def required_literal(pattern: str) -> str:
    """The longest run of plain characters every match of ``pattern`` contains ("" if none):
    literals in sequence at the top level, inside groups and inside repeats of at least
    one, never inside alternatives or optional parts."""
    try:
        from re import _constants as sre_constants, _parser as sre_parse  # type: ignore[attr-defined]  # Python >= 3.11
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_constants
        import sre_parse

    runs: list[str] = []

    def walk(parsed) -> None:
        current: list[str] = []
        for op, arg in parsed:
            if op is sre_constants.LITERAL:
                current.append(chr(arg))
                continue
            if current:
                runs.append("".join(current))
                current = []
            if op is sre_constants.SUBPATTERN:
                walk(arg[-1])
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and arg[0] >= 1:
                walk(arg[2])
        if current:
            runs.append("".join(current))

    walk(sre_parse.parse(pattern))
    return max(runs, key=len, default="")


def _phrase_triggers() -> tuple[str, ...] | None:
    """Substrings one of which every phrase-cue match contains (none implied by another):
    a line holding none of them cannot match, so most article lines skip the regex (36 ->
    12 us a line).  None (always search) if some pattern has no literal of three characters."""
    found = set()
    for patterns in PHRASE_CUES.values():
        for pattern in patterns:
            literal = required_literal(pattern)
            if len(literal.strip()) < 3:
                return None
            found.add(literal)
    # A trigger containing another is implied by it.
    return tuple(sorted(t for t in found if not any(o != t and o in t for o in found)))


_PHRASE_TRIGGERS = _phrase_triggers()
_CATEGORY = {_group(c): c for c in (*LINE_CUES, *PHRASE_CUES)}
_EDGE_PUNCT = " \t:;,.!?·•|»«\"'()[]{}#*>-–—…"


# Quotations in a line: an article that quotes a banner (« Nous utilisons des cookies »,
# "We use cookies", „Wir verwenden Cookies") is reporting on it, not showing it.
_QUOTED = re.compile(r'«[^«»]*»|“[^“”]*”|„[^„“”"]*[“”"]|"[^"]*"|‘[^‘’]*’')
# A privacy-policy cue is the site's own only in a short line ("Zur Datenschutzerklärung") or
# one that speaks as the site or to the reader: "our", "your", "I agree", "nuestra".
_SITE_VOICE = re.compile(r"\b(?:our|your|i|we|notre|nos|votre|vos|je|nous|vous|unsere[mnrs]?|ich|wir|"
                         r"nuestr[ao]s?|usted|tus?|la nostra|la vostra)\b")
_PRIVACY_SHORT_WORDS = 8


# ...unless the line tells the reader to press the quoted words: then they are the banner's
# own button (select "I AM NOT A ROBOT", „Akzeptieren und schließen“ anklicken).
_UI_VERBS = re.compile(r"\b(?:click|select|press|tap|agree|accept|cliqu|sélectionn|appuy|acceptez|klick|anklick|wähle|stimmen sie|zaznacz|klikn|haga clic|pulse|seleccion|acepta|clicca|selezion)")


def _quotations(lowered: str) -> list[tuple[int, int]]:
    """Spans of the line's quotations that make a cue inside them the article's quote (see
    `_QUOTED`, `_UI_VERBS`): none when the line tells the reader to press the quoted words,
    or when a quotation is the whole line (a banner scraped with its quotes)."""
    if not any(c in lowered for c in '«“„"‘'):
        return []
    quoted = [q.span() for q in _QUOTED.finditer(lowered)]
    ends = [0, *(x for span in quoted for x in span), len(lowered)]
    unquoted = " ".join(lowered[a:b] for a, b in zip(ends[::2], ends[1::2]))
    if _UI_VERBS.search(unquoted) or len(re.findall(r"\w+", unquoted)) < 3:
        return []
    return quoted


def _outside_quotes(lowered: str, matches) -> "re.Match[str] | None":
    """The first match not inside a quotation of the line (`_quotations`, read only once a
    cue matched)."""
    quoted: list[tuple[int, int]] | None = None
    for m in matches:
        if quoted is None:
            quoted = _quotations(lowered)
        if not any(start <= m.start() and m.end() <= end for start, end in quoted):
            return m
    return None


def match_cue(line: str) -> str | None:
    """The boilerplate category a line's wording gives away, or None.  A phrase cue inside
    a quotation does not count (the article is quoting the banner)."""
    stripped = line.strip()
    bare = stripped.strip(_EDGE_PUNCT).strip()
    m = _ALL_LINE_CUES.match(bare) or _ALL_LINE_CUES.match(stripped)
    words = len(line.split())
    if m is None and words <= MAX_PHRASE_CUE_WORDS:
        lowered = line.lower()
        if _PHRASE_TRIGGERS is None or any(t in lowered for t in _PHRASE_TRIGGERS):
            found = _ALL_PHRASE_CUES.finditer(lowered)
            if words > _PRIVACY_SHORT_WORDS and not _SITE_VOICE.search(lowered):
                found = (f for f in found if f.lastgroup != "privacy_policy")  # another company's policy, in prose
            m = _outside_quotes(lowered, found)
    # Every alternative is a named group, so a match always has its lastgroup.
    return _CATEGORY[m.lastgroup] if m is not None and m.lastgroup is not None else None
