//! Engine-independent text helpers: typo budgets, fuzzy word matching, HTML escaping and
//! snippet building. Pure functions, no I/O.

/// Meilisearch only considers the first ten words of a query; the embedded engine does too.
pub const MAX_QUERY_WORDS: usize = 10;
/// Words of context in a snippet (Meilisearch `cropLength`).
pub const SNIPPET_WORDS: usize = 30;
/// Words kept before the first match when a snippet is cropped.
const SNIPPET_WORDS_BEFORE: usize = 10;
/// Marker put where a snippet was cut (Meilisearch's default crop marker).
pub const CROP_MARKER: &str = "…";

/// One normalized (lower-cased, ASCII-folded) word of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryWord {
    pub text: String,
    /// Edits allowed: 0 below 5 letters, 1 from 5, 2 from 9 (Meilisearch's defaults).
    pub typos: u8,
    /// The last word of a query that does not end with a separator matches as a prefix.
    pub prefix: bool,
}

/// Typo budget for a normalized word, by its length in characters.
pub fn typo_budget(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// A token of an analyzed text: normalized text and its byte range in the original.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

/// Turns the analyzed tokens of a query into query words: at most [`MAX_QUERY_WORDS`], the
/// last one a prefix when the raw query ends inside it (as one types).
pub fn query_words(raw: &str, tokens: Vec<Token>) -> Vec<QueryWord> {
    let mut tokens = tokens;
    tokens.retain(|t| !t.text.is_empty());
    tokens.truncate(MAX_QUERY_WORDS);
    let count = tokens.len();
    tokens
        .into_iter()
        .enumerate()
        .map(|(i, t)| QueryWord {
            typos: typo_budget(&t.text),
            prefix: i + 1 == count && t.to >= raw.len(),
            text: t.text,
        })
        .collect()
}

/// Restricted Damerau-Levenshtein (optimal string alignment) table of `q` against `t`:
/// returns the last row, i.e. the distance from all of `q` to every prefix of `t`.
fn osa_last_row(q: &[char], t: &[char]) -> Vec<usize> {
    let width = t.len() + 1;
    // Three rolling rows: two back (for transpositions), previous, current.
    let mut prev2: Vec<usize> = vec![0; width];
    let mut prev: Vec<usize> = (0..width).collect();
    for i in 1..=q.len() {
        let mut cur = vec![0; width];
        cur[0] = i;
        for j in 1..width {
            let cost = usize::from(q[i - 1] != t[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && q[i - 1] == t[j - 2] && q[i - 2] == t[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev
}

/// Whether a normalized token matches a query word, within its typo budget (and as a
/// prefix for a prefix word). Transpositions cost one edit, as in the tantivy automaton.
pub fn word_matches(word: &QueryWord, token: &str) -> bool {
    if token == word.text || (word.prefix && token.starts_with(word.text.as_str())) {
        return true;
    }
    if word.typos == 0 {
        return false;
    }
    let q: Vec<char> = word.text.chars().collect();
    let t: Vec<char> = token.chars().collect();
    let budget = usize::from(word.typos);
    if !word.prefix && q.len().abs_diff(t.len()) > budget {
        return false;
    }
    let row = osa_last_row(&q, &t);
    if word.prefix {
        row.iter().any(|&d| d <= budget)
    } else {
        row.last().is_some_and(|&d| d <= budget)
    }
}

/// The analyzer both engines' callers share for marking words in a title: splits on
/// non-alphanumeric characters, lower-cases and folds accents to ASCII (the embedded
/// engine indexes with the same).
pub fn analyzer() -> tantivy::tokenizer::TextAnalyzer {
    use tantivy::tokenizer::{
        AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
    };
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The tokens of a text through [`analyzer`].
pub fn tokens(text: &str) -> Vec<Token> {
    use tantivy::tokenizer::TokenStream as _;
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let t = stream.token();
        out.push(Token {
            text: t.text.clone(),
            from: t.offset_from,
            to: t.offset_to,
        });
    }
    out
}

/// The words of a query, through [`analyzer`].
pub fn words_of(query: &str) -> Vec<QueryWord> {
    query_words(query, tokens(query))
}

/// A short text (a title) as HTML: escaped, every word that matches a query word wrapped
/// in `<mark>`, nothing cropped.
pub fn mark_all(text: &str, words: &[QueryWord]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let tokens = tokens(text);
    let marked = tokens
        .iter()
        .filter(|t| words.iter().any(|w| word_matches(w, &t.text)));
    push_marked(&mut out, text, 0, text.len(), marked);
    out
}

/// Escapes `text[from..to]` into `out`, wrapping the `marked` tokens (in text order) in
/// `<mark>`; a token outside the range or overlapping the last one is left unmarked.
fn push_marked<'a>(
    out: &mut String,
    text: &str,
    from: usize,
    to: usize,
    marked: impl Iterator<Item = &'a Token>,
) {
    let mut pos = from;
    for t in marked {
        if t.from < pos || t.to > to {
            continue;
        }
        push_escaped(out, text.get(pos..t.from).unwrap_or_default());
        out.push_str("<mark>");
        push_escaped(out, text.get(t.from..t.to).unwrap_or_default());
        out.push_str("</mark>");
        pos = t.to;
    }
    push_escaped(out, text.get(pos..to).unwrap_or_default());
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_escaped(&mut out, text);
    out
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// Builds the HTML snippet of a body: about [`SNIPPET_WORDS`] words around the first token
/// that matches a query word (the start of the body when none does, e.g. a title-only
/// match; the whole body when it is short), with every matching token wrapped in `<mark>`
/// and everything else escaped.
pub fn snippet(body: &str, tokens: &[Token], words: &[QueryWord]) -> String {
    let matches: Vec<bool> = tokens
        .iter()
        .map(|t| words.iter().any(|w| word_matches(w, &t.text)))
        .collect();
    let n = tokens.len();
    let (start, end) = if n <= SNIPPET_WORDS {
        (0, n)
    } else {
        let first = matches.iter().position(|&m| m).unwrap_or(0);
        let end = (first.saturating_sub(SNIPPET_WORDS_BEFORE) + SNIPPET_WORDS).min(n);
        (end.saturating_sub(SNIPPET_WORDS), end)
    };
    let from = if start == 0 {
        0
    } else {
        tokens.get(start).map_or(0, |t| t.from)
    };
    let to = if end >= n {
        body.len()
    } else {
        tokens.get(end - 1).map_or(body.len(), |t| t.to)
    };
    let mut out = String::new();
    if start > 0 {
        out.push_str(CROP_MARKER);
    }
    let marked = tokens
        .iter()
        .zip(&matches)
        .take(end)
        .skip(start)
        .filter(|(_, m)| **m)
        .map(|(t, _)| t);
    push_marked(&mut out, body, from, to, marked);
    if end < n {
        out.push_str(CROP_MARKER);
    }
    out
}

/// Converts text highlighted by an engine with the `pre`/`post` tags into our snippet HTML:
/// text escaped, tags turned into a balanced `<mark>`/`</mark>` (stray tags are dropped).
pub fn highlighted_to_html(formatted: &str, pre: &str, post: &str) -> String {
    let mut out = String::with_capacity(formatted.len() + 16);
    let mut open = false;
    let mut rest = formatted;
    loop {
        let next_pre = rest.find(pre);
        let next_post = rest.find(post);
        let (idx, is_pre) = match (next_pre, next_post) {
            (None, None) => break,
            (Some(a), None) => (a, true),
            (None, Some(b)) => (b, false),
            (Some(a), Some(b)) => {
                if a <= b {
                    (a, true)
                } else {
                    (b, false)
                }
            }
        };
        push_escaped(&mut out, rest.get(..idx).unwrap_or_default());
        let tag_len = if is_pre { pre.len() } else { post.len() };
        rest = rest.get(idx + tag_len..).unwrap_or_default();
        if is_pre && !open {
            out.push_str("<mark>");
            open = true;
        } else if !is_pre && open {
            out.push_str("</mark>");
            open = false;
        }
    }
    push_escaped(&mut out, rest);
    if open {
        out.push_str("</mark>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str, prefix: bool) -> QueryWord {
        QueryWord {
            text: text.to_string(),
            typos: typo_budget(text),
            prefix,
        }
    }

    #[test]
    fn budgets() {
        assert_eq!(typo_budget("teh"), 0);
        assert_eq!(typo_budget("abcd"), 0);
        assert_eq!(typo_budget("abcde"), 1);
        assert_eq!(typo_budget("abcdefgh"), 1);
        assert_eq!(typo_budget("abcdefghi"), 2);
    }

    #[test]
    fn matching() {
        assert!(word_matches(&w("colaboration", false), "collaboration"));
        assert!(word_matches(&w("colaboratoin", false), "collaboration"));
        assert!(!word_matches(&w("teh", false), "the"));
        assert!(word_matches(&w("collab", true), "collaboration"));
        assert!(!word_matches(&w("collab", false), "collaboration"));
        assert!(word_matches(&w("colab", true), "collaboration"));
        assert!(word_matches(&w("recieve", false), "receive"));
        assert!(!word_matches(&w("house", false), "mouse_trap"));
    }

    #[test]
    fn titles_are_marked_whole() {
        let words = words_of("onbording starters ");
        assert_eq!(
            mark_all("Onboarding & <b>bold</b> new-starters", &words),
            "<mark>Onboarding</mark> &amp; &lt;b&gt;bold&lt;/b&gt; new-<mark>starters</mark>"
        );
        assert_eq!(mark_all("Nothing here", &words), "Nothing here");
    }

    #[test]
    fn highlight_conversion() {
        let s = highlighted_to_html(
            "a <b> \u{E000}x\u{E001} & \u{E001}y\u{E000}z",
            "\u{E000}",
            "\u{E001}",
        );
        assert_eq!(s, "a &lt;b&gt; <mark>x</mark> &amp; y<mark>z</mark>");
    }
}
