"""The cleaner against the hand labels, and its rules one by one."""
from pathlib import Path

import pytest

from dedup import CleanerConfig, ConfigError, Document, LineStats, clean
from dedup.clean_eval import score_html_pages, score_line_labels

ROOT = Path(__file__).resolve().parents[1]


def test_seed_labels_no_article_line_lost_and_boilerplate_removed():
    score = score_line_labels(ROOT / "corpora/cleaner-labels/seeds.jsonl", ROOT / "seeds")
    assert score.pages == 5
    assert score.article_lines_lost == 0
    assert score.recall >= 0.95
    assert score.precision >= 0.95


def test_html_pages_keep_every_paragraph_and_drop_boilerplate():
    score = score_html_pages(ROOT / "corpora/html")
    assert score.pages == 5
    assert score.article_lines_lost == 0
    assert score.recall >= 0.95


def _doc(text, **kw):
    return Document(id="t", text=text, **kw)


BODY = ("Le ministre des Affaires étrangères a présidé la réunion ministérielle mardi à Achgabat, "
        "en présence de ses homologues des cinq pays d'Asie centrale.")
BODY2 = "Les discussions ont porté sur le commerce, l'énergie, les transports et la sécurité régionale dans la région."


@pytest.mark.parametrize(
    "line, reason",
    [
        ("- Publicité -spot_img", "advertisement"),
        ("Nous utilisons des cookies pour vous aider à naviguer efficacement.", "cookie-consent"),
        ("We use cookies to personalise content and ads.", "cookie-consent"),
        ("Sign up for our newsletter to get the top stories.", "newsletter"),
        ("Partagez cet article:", "share"),
        ("Follow us on", "share"),
        ("The views expressed do not necessarily reflect those of the publisher.", "disclaimer"),
        ("Weiterlesen", "navigation"),
        ("Leer más", "navigation"),
        ("Leggi anche", "navigation"),
        ("Mercredi, Mars 26, 2025", "dateline"),
        # Seen repeated across the SemEval-2022 scrapes (en, de, pl):
        ("Story continues below advertisement", "navigation"),
        ("article continues below", "navigation"),
        ("Send this page to someone via email", "share"),
        ("Den vollständigen Artikel lesen ...", "navigation"),
        ("Indem Sie „Akzeptieren und schließen“ anklicken, stimmen Sie ausdrücklich der Verarbeitung Ihrer Daten zu.",
         "cookie-consent"),
        ('If you want to connect with us, select "I AM NOT A ROBOT".', "blocked-page"),
        ("Podejrzewamy, że ktoś nadużył adresu IP, z którego korzystasz.", "blocked-page"),
        ("Twój adres IP: 207.241.233.113", "blocked-page"),
        ("Read Next", "navigation"),
        ("Jetzt teilen:", "share"),
        # Other languages of the SemEval-2022 scrapes, and pt/nl:
        ("REKLAMA", "advertisement"),
        ("Czytaj także:", "navigation"),
        ("Podziel się", "share"),
        ("Читайте также:", "navigation"),
        ("Реклама", "advertisement"),
        ("Мы используем файлы cookie, чтобы сайт работал лучше.", "cookie-consent"),
        ("- Reklam -", "advertisement"),
        ("Detaylı bilgi almak için 'Çerez Politikasını' inceleyebilirsiniz.", "cookie-consent"),
        ("اقرأ أيضاً", "navigation"),
        ("التبرع للموقع - ادعمونا", "donation"),
        ("广告", "advertisement"),
        ("相关新闻", "navigation"),
        ("Leia também", "navigation"),
        ("Lees ook:", "navigation"),
        ("Support independent journalism: donate today.", "donation"),
        ("Commentaires (10)", "navigation"),
        ("Read our privacy policy to learn how we use your data and who we share it with.", "privacy-policy"),
        ("Zur Datenschutzerklärung", "privacy-policy"),
        ("Lire aussi : Le préfet annonce de nouvelles mesures", "navigation"),
        ("Stand: 04.03.2025 14:32 Uhr", "navigation"),
        ("Publié le 14 mars 2025 à 18h02", "navigation"),
        ("© 2025 City News Media. All rights reserved.", "copyright"),
        ("La suite de cet article est réservée aux abonnés. Déjà abonné ? Connectez-vous.", "paywall"),
        ("Get the latest local news delivered straight to your inbox every morning.", "newsletter"),
        ("Dieser Artikel erschien zuerst auf tagesspiegel.de.", "navigation"),
        ("This article was originally published on The Conversation. Read the original article.", "navigation"),
        ("Publié le 12 mars 2025 à 10h32, modifié le 12 mars 2025 à 11h05", "navigation"),
        # A banner scraped with its quotes is the banner (the quotation is the whole line).
        ('"Nous utilisons des cookies pour améliorer votre expérience."', "cookie-consent"),
        ('By using this site you agree to our "Privacy Policy" and "Terms of Use".', "privacy-policy"),
        # A banner naming its own button in quotes is still a banner.
        ('If you want to connect with us, select "I AM NOT A ROBOT".', "blocked-page"),
    ],
)
def test_boilerplate_in_the_body_zone_is_removed_with_its_reason(line, reason):
    result = clean(_doc(f"Un titre assez long ici\n\n{BODY}\n\n{line}\n\n{BODY2}"))
    assert [(r.text, r.reason) for r in result.removed] == [(line, reason)]
    assert BODY in result.text and BODY2 in result.text


@pytest.mark.parametrize(
    "line",
    [
        "La CNIL a sanctionné Google pour ses cookies publicitaires, a annoncé mardi le régulateur à Paris.",
        "« Nous ne céderons pas », a déclaré la ministre.",
        "Biographie",
        "Kaja Kallas à Achgabat",
        "Le sommet aura lieu le 4 avril 2025 à Samarcande.",
        "Le robot humanoïde, présenté jeudi à Lyon, a servi le café aux visiteurs du salon.",
        "The story continues to unfold as rescuers search the rubble below the collapsed bridge.",
        # Cue words inside article sentences (line cues need the whole line):
        "Reklama w telewizji publicznej została zakazana przez parlament w czwartek wieczorem.",
        "Компания потратила на рекламу больше, чем на исследования, сообщил в среду аудитор.",
        "国家市场监管总局周二表示，将严查虚假广告和不正当竞争行为，保护消费者权益。",
        "Bakan, reklam yasağının gelecek ay yürürlüğe gireceğini açıkladı ve ayrıntı vermedi.",
        # A banner quoted by the article (a cue inside quotation marks), in four languages:
        "Selon le gendarme, le bandeau indiquait « Nous utilisons des cookies » sans bouton pour refuser.",
        '"We use cookies, like everyone else," said Tom Baker, the chief executive of the publisher.',
        "„Wir verwenden Cookies“ – dieser Satz steht inzwischen auf fast jeder deutschen Nachrichtenseite.",
        'El regulador citó el mensaje "Suscríbete a nuestro boletín" como ejemplo de presión sobre los lectores.',
        # Another company's privacy policy, named in the article's prose:
        "La CNIL a également relevé que la politique de confidentialité de YouTube renvoyait vers des pages en anglais.",
        "The Competition and Markets Authority said Google's privacy policy changes must not entrench its position.",
        "Die bisherige Datenschutzerklärung von Facebook sei für viele Nutzer nicht verständlich gewesen, sagte Mundt.",
        "Meta hat ihre Datenschutzerklärung zum dritten Mal in diesem Jahr geändert, kritisieren Verbraucherschützer.",
        # Words of the new cues, in article sentences:
        "Scam emails delivered straight to your inbox often mimic banks, the consumer agency warned on Monday.",
        "‘We use cookies to improve your experience,’ the banner read, with no button to refuse them.",
        "Copyright 2024 filings rose by 12 percent, the patent and trademark office said on Tuesday.",
    ],
)
def test_article_lines_that_look_like_boilerplate_are_kept(line):
    result = clean(_doc(f"Un titre assez long ici\n\n{BODY}\n\n{line}\n\n{BODY2}"))
    assert result.removed == ()
    assert line in result.text


def test_a_paragraph_between_two_ads_is_the_articles():
    # Ads come one line at a time: what sits between two of them is not part of an ad block.
    short = "Le maire a confirmé la fermeture du pont jusqu'à la fin du mois de mars prochain."
    result = clean(_doc(f"Un titre assez long ici\n\n{BODY}\n\n- Publicité -\n\n{short}\n\n- Publicité -\n\n{BODY2}"))
    assert [r.text for r in result.removed] == ["- Publicité -", "- Publicité -"] and short in result.text


def test_a_list_closing_the_article_is_not_a_footer():
    items = ["Energy price cap: up 6.4%", "Council tax: up to 4.99%", "Water bills: average 26% rise"]
    text = "\n\n".join(["Un titre assez long ici", BODY, "Here is what goes up from Tuesday:", *items, "Suivez-nous sur les réseaux :",
                         "Facebook", "Mentions légales"])
    result = clean(_doc(text))
    assert all(item in result.text for item in items) and "Here is what goes up from Tuesday:" in result.text
    # "Suivez-nous" introduces share buttons, not a list: the footer goes as before.
    assert [r.text for r in result.removed] == ["Suivez-nous sur les réseaux :", "Facebook", "Mentions légales"]


@pytest.mark.parametrize("tail", [
    ["Retrouvez toutes nos rubriques :", "Politique", "Économie", "Sport", "Culture"],
    ["Les autres sites du groupe :", "Le Parisien", "Les Echos", "Radio Classique"],
    ["Retrouvez-nous sur les réseaux sociaux :", "Instagram", "TikTok", "YouTube"],
])
def test_a_sites_menu_after_the_article_is_still_a_footer(tail):
    result = clean(_doc("\n\n".join(["Un titre assez long ici", BODY, *tail])))
    assert [r.text for r in result.removed] == tail


def test_structural_zones_title_header_and_footer():
    text = "\n".join(["Bruxelles", "14.5 C", "Un titre assez long ici", "PARTAGEZ:", BODY, BODY2,
                      "The European Times", "Tendance"])
    result = clean(_doc(text))
    assert result.title == "Un titre assez long ici"
    assert [(r.line_no, r.reason) for r in result.removed] == [
        (1, "header"), (2, "widget"), (4, "share"), (7, "footer"), (8, "navigation")]
    assert result.text == f"Un titre assez long ici\n\n{BODY}\n\n{BODY2}"


@pytest.mark.parametrize("words, titled", [(40, True), (41, False)])
def test_a_first_paragraph_is_no_title(words, titled):
    # A text scraped without its headline starts with a paragraph: no title, rather than
    # a paragraph shown as one (documents.jsonl, the report's labels).
    first = " ".join(["mot"] * (words - 1)) + " fin."
    result = clean(_doc(first + "\n" + BODY))
    assert result.title == (first if titled else None)
    assert result.text == f"{first}\n\n{BODY}"  # the text itself is the same


def test_duplicates_breadcrumbs_and_author_box():
    text = "\n".join(["AsieUn titre assez long ici", "Un titre assez long ici", "Un titre assez long ici",
                      "Bureau de nouvelles", "Bureau de nouvelleshttps://example.news",
                      "Le site vise à couvrir les actualités importantes pour sensibiliser les citoyens européens.",
                      BODY])
    result = clean(_doc(text))
    assert [r.reason for r in result.removed] == ["breadcrumb", "duplicate line", "metadata fragment", "link", "author box"]


def test_the_line_after_a_pictures_link_is_the_articles_opening():
    opening = "Les marins-pompiers sont intervenus dans la nuit de mardi à mercredi pour un incendie rue d'Aubagne."
    text = "\n\n".join(["Un titre assez long ici", "Photo : https://img.example.fr/2025/03/noailles.jpg", opening, BODY])
    result = clean(_doc(text))
    assert [r.reason for r in result.removed] == ["link"] and opening in result.text


def test_lines_repeated_across_one_site_are_removed():
    docs = [_doc(f"Titre numéro {i} du jour\n\n{BODY} Numéro {i}.\n\nAbonnez-vous au Courrier du Sud pour tout savoir", source="courrier")
            for i in range(5)]
    docs += [_doc(f"Autre titre {i} du site\n\n{BODY} Autre {i}.\n\nCe texte est repris de l'agence AFP.", source="autre")
             for i in range(2)]
    stats = LineStats()
    for doc in docs:
        stats.add(doc)
    reasons = [[r.reason for r in clean(d, line_stats=stats).removed] for d in docs]
    assert reasons[0] == ["newsletter"]  # the cue is stronger evidence than repetition
    docs2 = [_doc(f"Titre numéro {i} du jour\n\n{BODY} Numéro {i}.\n\nLe Courrier du Sud, votre quotidien régional", source="courrier") for i in range(5)]
    stats2 = LineStats()
    for doc in docs2:
        stats2.add(doc)
    assert [r.reason for r in clean(docs2[0], line_stats=stats2).removed] == ["repeated across site"]
    assert clean(docs[5], line_stats=stats).removed == ()  # 2 articles are too few to call it boilerplate


def test_copies_of_one_story_keep_the_lines_they_share():
    """Three copies of one wire story among a site's articles: their body lines repeat
    across the site as boilerplate does, but they are most of each copy's body, so the copies
    keep them; the site's real boilerplate still goes, in the copies too."""
    story = "\n\n".join(f"{BODY} Paragraphe {k} de la dépêche." for k in range(4))
    footer = "Le Courrier du Sud, votre quotidien régional"
    docs = [_doc(f"Titre numéro {i} du jour\n\n{BODY} Numéro {i}.\n\n{footer}", source="courrier") for i in range(5)]
    docs += [_doc(f"Dépêche, version {k}\n\n{story}\n\n{footer}", source="courrier") for k in range(3)]
    stats = LineStats()
    for doc in docs:
        stats.add(doc)
    for k, copy in enumerate(docs[5:]):
        result = clean(copy, line_stats=stats)
        assert result.text == f"Dépêche, version {k}\n\n{story}"
        assert [(r.text, r.reason) for r in result.removed] == [(footer, "footer")]
    assert [r.reason for r in clean(docs[0], line_stats=stats).removed] == ["repeated across site"]


def test_markdown_markup_is_stripped():
    result = clean(_doc(f"# Un titre assez long ici\n\n{BODY} Voir [le communiqué](https://x.example).\n\n![photo](p.jpg)", format="md"))
    assert result.title == "Un titre assez long ici"
    assert "Voir le communiqué." in result.text and "](" not in result.text


def test_html_metadata_is_filled_from_the_page():
    page = (ROOT / "corpora/html/fr-betancourt.html").read_text(encoding="utf-8")
    result = clean(Document(id="p", text=page, format="html"))
    assert result.doc.lang == "fr" and result.published == "2025-03-28"
    assert result.title.startswith("Libération d'Ingrid Betancourt")
    assert any(r.reason == "outside main content (html): cookie-consent" and "cookies" in r.text for r in result.removed)


@pytest.mark.parametrize("head, published", [
    ('<meta property="article:published_time" content="2024-03-16T09:00:00+01:00">', "2024-03-16"),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-03-17"}</script>', "2024-03-17"),
    ("", None),  # no markup: not the copyright year, not a date from the text
])
def test_html_publication_date_comes_from_markup_only(head, published):
    body = "<p>" + "Le ministre a rencontré ses homologues à Achgabat le 15 mars 2024 pour parler d'énergie. " * 3 + "</p>"
    page = (f"<html><head><title>Réunion à Achgabat</title>{head}</head><body><article><h1>Réunion à Achgabat</h1>"
            f"{body}</article><footer>© 2025 Le Journal</footer></body></html>")
    assert clean(Document(id="p", text=page, format="html")).published == published


@pytest.mark.parametrize("kwargs, message", [
    ({"min_body_words": 0}, "min_body_words must be a positive integer"),
    ({"repeat_min_share": 1.5}, "repeat_min_share must be in (0, 1]"),
    ({"max_fragment_words": -1}, "max_fragment_words must be an integer >= 0"),
])
def test_config_validation_says_what_to_fix(kwargs, message):
    with pytest.raises(ConfigError) as err:
        CleanerConfig(**kwargs)
    assert message in str(err.value)


def test_a_documents_format_is_read_in_any_case():
    page = "<html><body><article><h1>Un titre assez long pour la page</h1><p>" + BODY + "</p></article></body></html>"
    result = clean(Document(id="a", text=page, format="HTML"))
    assert result.title == "Un titre assez long pour la page" and "<" not in result.text and BODY in result.text


def test_a_dict_of_settings_is_not_a_cleaner_config():
    with pytest.raises(ConfigError, match=r"must be a CleanerConfig, not dict; e.g. CleanerConfig\(min_body_words=10\)"):
        clean(_doc("Un titre assez long ici"), {"min_body_words": 5})  # type: ignore[arg-type]


def test_real_articles_without_boilerplate_lose_no_sentence():
    """rpm2 articles (BOM + CRLF, agency datelines, short sentences): nothing but kickers goes."""
    from dedup import read_corpus

    for doc in read_corpus(ROOT / "corpora/rpm2-excerpt"):
        result = clean(doc)
        sentences = [r.text for r in result.removed if r.text.endswith((".", "-"))]
        assert sentences == [], doc.id
    texts = {d.id: clean(d).text for d in read_corpus(ROOT / "corpora/rpm2-excerpt")}
    assert "Les interrogations s'accumulent." in texts["T03_C1_01"]
    assert "VILLACOUBLAY, Yvelines (Reuters) -" in texts["T01_C1_06"]


@pytest.mark.parametrize("stamp, published", [
    ("16 Décembre 2020 13:44 (UTC+01:00)", "2020-12-16"),
    ("Vendredi, Avril 25, 2025", "2025-04-25"),
    ("2025-03-27 10:00", "2025-03-27"),
])
def test_a_removed_date_stamp_gives_the_publication_date(stamp, published):
    result = clean(_doc(f"Un titre assez long ici\n{stamp}\n\n{BODY}"))
    assert [r.reason for r in result.removed] == ["dateline"]
    # A stamp in the text may be the site's date of the scrape: kept apart from the article's own date.
    assert (result.date_stamp, result.published) == (published, None)
    own = clean(_doc(f"Un titre assez long ici\n{stamp}\n\n{BODY}", published="2025-01-02"))
    assert (own.published, own.date_stamp) == ("2025-01-02", published)


def test_cleaner_signature_changes_with_the_rules_and_the_settings(monkeypatch):
    from dedup import cleaner as cleaner_module
    from dedup import cues

    base = CleanerConfig().signature
    assert base == CleanerConfig().signature
    assert CleanerConfig(min_body_words=10).signature != base
    # A cue added without a version bump still changes the signature (the tables are hashed).
    monkeypatch.setitem(cues.LINE_CUES, "navigation", [*cues.LINE_CUES["navigation"], r"tout voir"])
    cleaner_module._rules_digest.cache_clear()
    try:
        changed = CleanerConfig().signature
    finally:
        monkeypatch.undo()
        cleaner_module._rules_digest.cache_clear()
    assert changed.split("|")[1] != base.split("|")[1] and changed.split("|")[2] == base.split("|")[2]
    assert CleanerConfig().signature == base


def test_cue_patterns_are_written_in_lower_case():
    # Phrase cues are searched in the lower-cased line without re.IGNORECASE (for speed):
    # a capital letter in a pattern could never match.
    import re

    from dedup.cues import LINE_CUES, PHRASE_CUES

    for table in (LINE_CUES, PHRASE_CUES):
        for category, patterns in table.items():
            for pattern in patterns:
                literal = re.sub(r"\\[A-Za-z]", "", pattern)
                assert literal == literal.lower(), f"{category}: {pattern!r} has capitals"


@pytest.mark.parametrize(
    "pattern, literal",
    [
        (r"we use cookies", "we use cookies"),
        (r"(i am|i'm) not a robot", " not a robot"),
        (r"(accept|manage) (all )?cookies", "cookies"),
        (r"polityk[aię] (plików |pliki )?cookies?", "polityk"),
        (r"-?\s*reklama\s*-?", "reklama"),
        (r"^disclaimer", "disclaimer"),
        (r"ادعم(نا|ونا)", "ادعم"),
        (r"(des|les)", ""),
    ],
)
def test_required_literal_is_in_every_match(pattern, literal):
    from dedup.cues import required_literal

    assert required_literal(pattern) == literal


def test_every_phrase_cue_is_prefiltered_by_a_trigger():
    # match_cue skips the phrase regex for lines containing no trigger: each pattern's
    # required literal must contain one, or matching lines would be missed.
    from dedup.cues import _PHRASE_TRIGGERS, PHRASE_CUES, required_literal

    assert _PHRASE_TRIGGERS, "every phrase cue needs a literal of three characters or more"
    for patterns in PHRASE_CUES.values():
        for pattern in patterns:
            assert any(t in required_literal(pattern) for t in _PHRASE_TRIGGERS), pattern


@pytest.mark.parametrize(
    "line, n, expected",
    [
        ("un deux trois", 3, True),
        ("un deux trois quatre", 3, False),
        ("l'homme rock-n-roll", 2, True),  # elided and hyphenated words count once
        ("— … —", 0, True),
        ("a b", 1, False),  # short enough for the length bound to prove nothing
        ("mot " * 40, 30, False),  # decided on a prefix
        ("Überschriftenverzeichnis " * 20 + "fin", 30, True),  # long words: counted to the end
        ("Überschriftenverzeichnis " * 31, 30, False),
    ],
)
def test_at_most_words_is_the_word_count_compared(line, n, expected):
    from dedup.cleaner import _at_most_words, _words

    assert _at_most_words(line, n) is expected
    assert (_words(line) <= n) is expected


def test_a_sites_repeated_disclaimer_sentences_still_go_from_short_articles():
    """Three full disclaimer sentences on every page of a site, articles of two paragraphs:
    the repeated lines are 60% of each article's prose, boilerplate, not a copied story."""
    disclaimers = ["Les opinions exprimées dans cet article sont celles de leur auteur et ne reflètent pas celles du journal.",
                   "Toute reproduction de ce contenu sans autorisation écrite préalable de la rédaction est strictement interdite.",
                   "Les informations publiées ici sont fournies à titre indicatif et peuvent évoluer au fil de la journée."]
    docs = [_doc(f"Titre numéro {i} du jour\n\n{BODY} Premier {i}.\n\n{BODY} Second {i}.\n\n" + "\n\n".join(disclaimers),
                 source="site") for i in range(5)]
    stats = LineStats()
    for doc in docs:
        stats.add(doc)
    result = clean(docs[0], line_stats=stats)
    assert [(r.text, r.reason) for r in result.removed] == [(d, "repeated across site") for d in disclaimers]
    assert "Premier 0." in result.text and "Second 0." in result.text
