// The citizen pages in Turkish, English or Arabic (right to left).
//
// The pages are written in Turkish. For English and Arabic, web/i18n/<lang>.json maps each
// Turkish text, as the page or a script writes it, to its translation (gettext's msgid
// idea): "texts" whole texts, "patterns" texts with values in them ("{n} dosya eklendi").
// Every text node and the readable attributes are translated once the dictionary is
// loaded, and whatever the scripts add later as it is added (a MutationObserver), so the
// scripts keep writing Turkish and need no change. What is marked translate="no" (names of
// places, numbers, codes, the citizen's own words) is left alone.
//
// The choice is remembered on the device (localStorage), can be given once by ?lang=en,
// and goes to the API as Accept-Language: its messages come back in the same language with
// the same codes (chalicelib/domain/i18n.py).
const LANGUAGES = {
  tr: { name: "Türkçe", short: "TR", dir: "ltr", locale: "tr-TR" },
  en: { name: "English", short: "EN", dir: "ltr", locale: "en-GB" },
  ar: { name: "العربية", short: "ع", dir: "rtl", locale: "ar-u-nu-latn" },   // Latin digits, as the numbers and codes
};
const KEY = "acikkapi.lang";

// The office console and the institution page (data-online="required") stay in Turkish:
// they are the administration's own working screens.
const STAFF_PAGE = !!document.querySelector('script[data-online="required"]');

function chosen() {
  if (STAFF_PAGE) return "tr";
  try {
    const asked = new URLSearchParams(location.search).get("lang");
    if (asked && LANGUAGES[asked]) { localStorage.setItem(KEY, asked); return asked; }
    const kept = localStorage.getItem(KEY);
    return kept && LANGUAGES[kept] ? kept : "tr";
  } catch (e) {
    return "tr";
  }
}

export const lang = chosen();
export const locale = LANGUAGES[lang].locale;
// The page says it is in English or Arabic (lang, dir) only once its texts are: until the
// dictionary is applied, and for good when it cannot be loaded, the page is Turkish and says
// so, for a screen reader's voice and for the direction of the text.
function declare(code) {
  document.documentElement.lang = code;
  document.documentElement.dir = LANGUAGES[code].dir;
}

let texts = null;        // Map: Turkish text -> translation
let patterns = [];       // [RegExp, translation with $1.. for the values]
const ATTRS = ["placeholder", "aria-label", "alt", "title", "data-label"];   // data-label: a card row's heading (CSS)
const SKIP = new Set(["SCRIPT", "STYLE", "TEXTAREA", "NOSCRIPT"]);

const norm = (s) => s.replace(/\s+/g, " ").trim();

function compile(source, target) {
  const names = [];
  const body = source.split(/(\{\w+\})/).map((part) => {
    const m = /^\{(\w+)\}$/.exec(part);
    if (m) { names.push(m[1]); return "(.+?)"; }
    return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }).join("");
  return [new RegExp(`^${body}$`, "s"), names, target];
}

// The translation of one Turkish text, or null when the dictionary has none.
function translate(text) {
  if (!texts) return null;
  const key = norm(text);
  if (!key) return null;
  const hit = texts.get(key);
  if (hit !== undefined) return hit;
  for (const [re, names, target] of patterns) {
    const m = re.exec(key);
    if (!m) continue;
    const values = Object.fromEntries(names.map((n, i) => [n, m[i + 1]]));
    // a value may itself be a known text ("Başvurunuz {status}")
    return target.replace(/\{(\w+)\}/g, (_, n) => (values[n] !== undefined ? (texts.get(values[n]) ?? values[n]) : ""));
  }
  return null;
}

const t = (text) => translate(text) ?? text;     // for the title, which is no text node

function excluded(node) {
  const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  if (!el) return true;
  if (SKIP.has(el.tagName)) return true;
  return !!el.closest('[translate="no"]');
}

function translateText(node) {
  if (excluded(node)) return;
  const out = translate(node.data);
  if (out === null || out === norm(node.data)) return;
  const lead = /^\s*/.exec(node.data)[0];
  const trail = /\s*$/.exec(node.data)[0];
  node.data = lead + out + trail;
}

function translateAttrs(el) {
  if (excluded(el)) return;
  for (const a of ATTRS) {
    const v = el.getAttribute(a);
    if (!v) continue;
    const out = translate(v);
    if (out !== null && out !== v) el.setAttribute(a, out);
  }
  if (el.tagName === "META" && el.getAttribute("name") === "description") {
    const out = translate(el.getAttribute("content") || "");
    if (out) el.setAttribute("content", out);
  }
}

function translateTree(root) {
  if (root.nodeType === Node.TEXT_NODE) { translateText(root); return; }
  if (root.nodeType !== Node.ELEMENT_NODE && root.nodeType !== Node.DOCUMENT_NODE) return;
  if (root.nodeType === Node.ELEMENT_NODE) translateAttrs(root);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.nodeType === Node.TEXT_NODE) translateText(n); else translateAttrs(n);
  }
}

function switcher() {
  const header = document.querySelector("header.site .wrap");
  if (!header || header.querySelector(".lang-switch")) return;
  const box = document.createElement("div");
  box.className = "lang-switch";
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", "Dil · Language · اللغة");
  box.setAttribute("translate", "no");
  for (const [code, l] of Object.entries(LANGUAGES)) {
    const b = document.createElement("button");
    b.type = "button";
    b.lang = code;
    b.textContent = l.short;
    b.setAttribute("aria-label", l.name);
    b.setAttribute("aria-pressed", String(code === lang));
    b.addEventListener("click", () => {
      if (code === lang) return;
      try { localStorage.setItem(KEY, code); } catch (e) { /* private mode: this page only */ }
      const url = new URL(location.href);
      url.searchParams.delete("lang");
      location.replace(url.toString());
    });
    box.append(b);
  }
  header.append(box);
}

void (async () => {
  if (document.readyState === "loading") await new Promise((r) => document.addEventListener("DOMContentLoaded", r, { once: true }));
  if (!STAFF_PAGE) switcher();
  if (lang === "tr") { declare("tr"); return; }
  try {
    const base = new URL("../i18n/", import.meta.url);
    const dict = await (await fetch(new URL(`${lang}.json`, base))).json();
    texts = new Map(Object.entries(dict.texts).map(([k, v]) => [norm(k), v]));
    patterns = Object.entries(dict.patterns || {}).map(([k, v]) => compile(norm(k), v));
  } catch (e) {
    declare("tr");          // no dictionary (offline before it was ever cached): the page stays Turkish
    return;
  }
  document.title = t(document.title);
  translateTree(document);
  declare(lang);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "characterData") translateText(r.target);
      else if (r.type === "attributes") translateAttrs(r.target);
      else r.addedNodes.forEach(translateTree);
    }
  }).observe(document.documentElement, { subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ATTRS });
})();
