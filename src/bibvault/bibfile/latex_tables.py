"""Data for :mod:`bibvault.bibfile.latex`: accents, letters, symbols, logos, markup."""

from __future__ import annotations

#: accent command → Unicode combining character
ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
    "t": "\u0361", "textcommabelow": "\u0326",
}  # fmt: skip

#: what an accent prints on an empty argument, e.g. ``\~{}``
SPACING_ACCENTS = {"'": "´", "`": "`", "^": "^", '"': "¨", "~": "~", "=": "¯", ".": "˙",
                   "u": "˘", "v": "ˇ", "H": "˝", "c": "¸", "k": "˛", "r": "˚"}  # fmt: skip

#: argument-less commands → text (letters, symbols, spacing)
SYMBOLS = {
    "ss": "ß", "SS": "SS", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}",
    " ": " ", "\\": " ", ",": "\u202f", ";": "\u2005", ":": "\u2005", "/": "", "-": "",
    "@": "", "relax": "", "thinspace": "\u2009", "enspace": "\u2002", "quad": "\u2003",
    "qquad": "\u2003\u2003", "slash": "/", "Dash": "\u2014", "ldots": "…", "dots": "…",
    "textellipsis": "…", "textendash": "–", "textemdash": "—", "textquoteleft": "‘",
    "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”",
    "guillemotleft": "«", "guillemotright": "»", "textdollar": "$", "textbackslash": "\\",
    "textasciitilde": "~", "textasciicircum": "^", "textunderscore": "_", "textbar": "|",
    "textbraceleft": "{", "textbraceright": "}", "textasciigrave": "`", "textquotesingle": "'",
    "textless": "<", "textgreater": ">", "textdegree": "°", "textregistered": "®",
    "texttrademark": "™", "textcopyright": "©", "copyright": "©", "S": "§", "P": "¶",
    "pounds": "£", "textsterling": "£", "euro": "€", "texteuro": "€", "dag": "†",
    "ddag": "‡", "dagger": "†", "textordmasculine": "º", "textordfeminine": "ª",
    "textonehalf": "½", "lbrace": "{", "rbrace": "}", "textbullet": "•", "textperiodcentered": "·",
    # math, for titles with $\alpha$-like formulae
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ",
    "varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "aleph": "ℵ",
    "ell": "ℓ", "infty": "∞", "times": "×", "pm": "±", "cdot": "⋅", "circ": "∘",
    "oplus": "⊕", "surd": "√", "sharp": "♯", "rightarrow": "→", "to": "→",
    "leftarrow": "←", "hookrightarrow": "↪", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥",
    "neq": "≠", "approx": "≈", "sum": "∑", "in": "∈",
}  # fmt: skip

#: logos and acronym macros, common in TeX community bibliographies
LOGOS = {
    "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2ε", "BibTeX": "BibTeX",
    "XeTeX": "XeTeX", "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX", "LuaLaTeX": "LuaLaTeX",
    "pdfTeX": "pdfTeX", "pdfLaTeX": "pdfLaTeX", "ConTeXt": "ConTeXt", "AmSTeX": "AMS-TeX",
    "AMSTeX": "AMS-TeX", "AmS": "AMS", "AMS": "AMS", "AllTeX": "(La)TeX", "eTeX": "ε-TeX",
    "SliTeX": "SliTeX", "PiCTeX": "PiCTeX", "MF": "METAFONT", "MP": "MetaPost",
    "METAFONT": "METAFONT", "TUB": "TUGboat", "TUG": "TUG", "PS": "PostScript",
    "TikZ": "TikZ", "LyX": "LyX", "TeXLive": "TeX Live", "CTAN": "CTAN", "PDF": "PDF",
    "XML": "XML", "HTML": "HTML", "SGML": "SGML", "DVI": "DVI", "VAX": "VAX",
    "UNIX": "UNIX", "CSS": "CSS", "GNU": "GNU", "NTS": "NTS", "NTG": "NTG",
    "CSTUG": "CSTUG", "WEB": "WEB", "Omega": "Ω", "OMEGA": "Ω",
}  # fmt: skip

#: commands whose one argument is formatted: name → CSL rich-text tag (None: plain)
FORMATTING = {
    "textit": "i", "emph": "i", "textsl": "i", "mkbibemph": "i", "textbf": "b",
    "mkbibbold": "b", "textsc": "sc", "textsuperscript": "sup", "mkbibsuperscript": "sup",
    "textsubscript": "sub", "texttt": None, "textrm": None, "textsf": None, "textup": None,
    "textnormal": None, "textmd": None, "mbox": None, "hbox": None, "text": None,
    "enquote": None, "mkbibquote": None, "ensuremath": None, "textcircled": None,
}  # fmt: skip

#: declarations that format the rest of their group: name → tag (None: plain)
DECLARATIONS = {
    "em": "i", "it": "i", "itshape": "i", "sl": "i", "slshape": "i", "bf": "b",
    "bfseries": "b", "sc": "sc", "scshape": "sc", "rm": None, "tt": None, "sf": None,
    "normalfont": None, "upshape": None, "mdseries": None, "rmfamily": None,
    "ttfamily": None, "sffamily": None, "small": None, "footnotesize": None,
    "large": None, "Large": None, "tiny": None, "scriptsize": None, "normalsize": None,
}  # fmt: skip

#: commands whose first argument is dropped entirely (sort keys, dimensions)
SWALLOW_ARGUMENT = frozenset(
    {
        "noopsort",
        "SortNoop",
        "noop",
        "hspace",
        "vspace",
        "hyphenation",
        "label",
        "index",
        "cite",
        "nocite",
    }
)

#: commands followed by a TeX dimension, which is dropped with them
TAKES_DIMENSION = frozenset({"kern", "lower", "raise", "hskip", "vskip", "mkern", "hspace*"})

#: commands whose argument is verbatim (no TeX processing)
VERBATIM = frozenset({"url", "path", "nolinkurl", "verb", "file"})
