"""Build the HTML test pages in this folder (run from the repo root; output is committed).

Each page wraps real article paragraphs (first 5 paragraphs of one article: rpm2-dev for
French, SemEval-2022 task 8 for English, German, Spanish, Italian) in the boilerplate of a
typical news CMS page: navigation, cookie banner, share bar, ads, newsletter box, related
links, footer.  `labels.json` lists, per page, the article paragraphs (must be kept) and
the boilerplate texts (must be removed), for the cleaner's quality test and benchmark.
"""
import csv
import html
import json
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[3] / "shared" / "corpora"
HERE = Path(__file__).resolve().parent

BOILER = {
    "fr": {
        "nav": ["Accueil", "International", "Politique", "Économie", "Culture", "Sport"],
        "cookie": "Nous utilisons des cookies pour améliorer votre expérience sur notre site. En poursuivant votre navigation, vous acceptez notre politique de cookies.",
        "accept": "Accepter tout", "share": "Partager sur Facebook", "share2": "Partager sur Twitter",
        "ad": "- Publicité -", "news": "Inscrivez-vous à notre newsletter et recevez chaque matin l'essentiel de l'actualité.",
        "related": "À lire aussi", "rel": ["Les marchés européens terminent en hausse", "Le gouvernement présente son budget"],
        "footer": "© 2025 Le Quotidien. Tous droits réservés. Mentions légales – Politique de confidentialité",
    },
    "en": {
        "nav": ["Home", "World", "Politics", "Business", "Opinion", "Sport"],
        "cookie": "We use cookies to personalise content and ads and to analyse our traffic. Manage cookies or accept all cookies.",
        "accept": "Accept all", "share": "Share on Facebook", "share2": "Share on Twitter",
        "ad": "Advertisement", "news": "Sign up for our newsletter to get the day's top stories in your inbox.",
        "related": "Related stories", "rel": ["Markets close higher as oil slips", "Parliament debates new budget"],
        "footer": "© 2025 The Daily Courier. All rights reserved. Privacy policy | Terms of use",
    },
    "de": {
        "nav": ["Startseite", "Politik", "Wirtschaft", "Kultur", "Sport", "Wissen"],
        "cookie": "Wir verwenden Cookies, um Inhalte zu personalisieren. Cookie-Einstellungen anpassen oder alle akzeptieren.",
        "accept": "Alle akzeptieren", "share": "Teilen", "share2": "Folgen Sie uns",
        "ad": "Anzeige", "news": "Jetzt abonnieren: Newsletter abonnieren und die wichtigsten Nachrichten erhalten.",
        "related": "Mehr zum Thema", "rel": ["Börse schließt im Plus", "Bundestag berät Haushalt"],
        "footer": "© 2025 Tageskurier. Alle Rechte vorbehalten. Impressum – Datenschutzerklärung",
    },
    "es": {
        "nav": ["Inicio", "Internacional", "Política", "Economía", "Cultura", "Deportes"],
        "cookie": "Utilizamos cookies propias y de terceros para mejorar nuestros servicios. Consulte nuestra política de cookies.",
        "accept": "Aceptar", "share": "Compartir", "share2": "Síguenos en",
        "ad": "Publicidad", "news": "Suscríbete a nuestro boletín y recibe las noticias más importantes del día.",
        "related": "Noticias relacionadas", "rel": ["Las bolsas cierran al alza", "El Gobierno presenta los presupuestos"],
        "footer": "© 2025 Diario Central. Todos los derechos reservados. Política de privacidad",
    },
}


def paragraphs_rpm2(name: str) -> tuple[str, list[str]]:
    lines = [ln.strip() for ln in (SHARED / "rpm2-dev" / name).read_text(encoding="utf-8-sig").splitlines() if ln.strip()]
    return lines[0], lines[1:6]


def paragraphs_semeval(lang: str, skip: int = 0) -> tuple[str, list[str]]:
    csv.field_size_limit(10**9)
    seen = 0
    with (SHARED / "semeval2022-task8" / "training_set.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["lang1"] != lang:
                continue
            paras = [p.strip() for p in row["text1"].split("\n") if len(p.split()) >= 12]
            if len(paras) >= 5:
                if seen == skip:
                    return paras[0][:120].rsplit(" ", 1)[0], paras[:5]
                seen += 1
    raise SystemExit(f"no {lang} article with 5 paragraphs")


def page(lang: str, title: str, paras: list[str]) -> str:
    b = BOILER[lang]
    e = html.escape
    nav = "".join(f'<li><a href="/{i}">{e(x)}</a></li>' for i, x in enumerate(b["nav"]))
    rel = "".join(f'<li><a href="/r{i}">{e(x)}</a></li>' for i, x in enumerate(b["rel"]))
    body = "\n".join(f"<p>{e(p)}</p>" for p in paras[:3])
    body2 = "\n".join(f"<p>{e(p)}</p>" for p in paras[3:])
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{e(title)} | Site</title>
<meta property="og:title" content="{e(title)}"><meta property="article:published_time" content="2025-03-28T09:00:00+01:00">
<meta property="og:site_name" content="Site {lang.upper()}"></head>
<body>
<div id="cookie-banner" class="cookie-consent"><p>{e(b["cookie"])}</p><button>{e(b["accept"])}</button></div>
<header><nav><ul>{nav}</ul></nav></header>
<main><article>
<h1>{e(title)}</h1>
<div class="share"><a href="#">{e(b["share"])}</a> <a href="#">{e(b["share2"])}</a></div>
{body}
<div class="ad">{e(b["ad"])}</div>
{body2}
</article>
<aside class="newsletter"><p>{e(b["news"])}</p></aside>
<section class="related"><h2>{e(b["related"])}</h2><ul>{rel}</ul></section>
</main>
<footer><p>{e(b["footer"])}</p></footer>
</body></html>
"""


def main() -> None:
    labels = {}
    sources = {
        "fr-betancourt": ("fr", *paragraphs_rpm2("T01_C1_01.txt"), "rpm2-dev T01_C1_01 (GPL-3)"),
        "fr-second": ("fr", *paragraphs_rpm2("T02_C1_01.txt"), "rpm2-dev T02_C1_01 (GPL-3)"),
        "en-article": ("en", *paragraphs_semeval("en"), "SemEval-2022 task 8 training_set.csv, first en text1 with 5 paragraphs"),
        "de-article": ("de", *paragraphs_semeval("de"), "SemEval-2022 task 8 training_set.csv, first de text1 with 5 paragraphs"),
        "es-article": ("es", *paragraphs_semeval("es"), "SemEval-2022 task 8 training_set.csv, first es text1 with 5 paragraphs"),
    }
    for name, (lang, title, paras, origin) in sources.items():
        (HERE / f"{name}.html").write_text(page(lang, title, paras), encoding="utf-8")
        b = BOILER[lang]
        labels[name] = {
            "lang": lang, "origin": origin, "title": title, "keep": paras,
            "remove": [b["cookie"], b["accept"], *b["nav"], b["share"], b["share2"], b["ad"], b["news"], b["related"], *b["rel"], b["footer"]],
        }
    (HERE / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
