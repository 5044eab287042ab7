"""Data for :mod:`bibvault.bibfile.tex`: accents, letters, symbols, logos, markup.

The one source for reading TeX and for writing it: the BibTeX export derives its
Unicode → TeX spelling from :data:`ACCENTS`, :data:`LETTERS` and :data:`LIGATURES`.
"""

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

#: letter commands → the letter (written back as ``{\\o}`` by the BibTeX export)
LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dj": "đ", "DJ": "Đ",
    "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "ij": "ĳ", "IJ": "Ĳ",
}  # fmt: skip

#: TeX's ligatures of the text font and the tie: input characters → what is printed
LIGATURES = {"---": "—", "--": "–", "``": "“", "''": "”", "`": "‘", "~": "\u00a0",
             "!`": "¡", "?`": "¿"}  # fmt: skip

#: argument-less commands → text (symbols, spacing; letters are in LETTERS)
SYMBOLS = {
    **LETTERS, "SS": "SS",
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}",
    " ": " ", "\\": " ", ",": "\u202f", ";": "\u2005", ":": "\u2005", "/": "", "-": "",
    "@": "", "relax": "", "thinspace": "\u2009", "enspace": "\u2002", "quad": "\u2003",
    "qquad": "\u2003\u2003", "nobreakspace": "\u00a0", "slash": "/", "textslash": "/",
    "Dash": "\u2014", "ldots": "…", "dots": "…", "textellipsis": "…", "textendash": "–",
    "textemdash": "—", "textquoteleft": "‘", "textquoteright": "’", "textquotedblleft": "“",
    "textquotedblright": "”", "textquotedbl": '"', "textquotesingle": "'",
    "quotedblbase": "„", "quotesinglbase": "‚", "guillemotleft": "«", "guillemotright": "»",
    "guillemetleft": "«", "guillemetright": "»", "guilsinglleft": "‹", "guilsinglright": "›",
    "textdollar": "$", "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^",
    "textunderscore": "_", "textbar": "|", "textbraceleft": "{", "textbraceright": "}",
    "textasciigrave": "`",
    "textless": "<", "textgreater": ">", "textdegree": "°", "textregistered": "®",
    "texttrademark": "™", "textcopyright": "©", "copyright": "©", "S": "§", "P": "¶",
    "textsection": "§", "textparagraph": "¶", "pounds": "£", "textsterling": "£",
    "euro": "€", "texteuro": "€", "textyen": "¥", "textcent": "¢", "dag": "†", "ddag": "‡",
    "textdagger": "†", "textdaggerdbl": "‡", "textordmasculine": "º", "textordfeminine": "ª",
    "textonehalf": "½", "textonequarter": "¼", "textthreequarters": "¾", "lbrace": "{",
    "rbrace": "}", "textbullet": "•", "textperiodcentered": "·", "textexclamdown": "¡",
    "textquestiondown": "¿", "textperthousand": "‰", "textmu": "µ", "texttimes": "×",
    "textdiv": "÷", "textpm": "±", "textnumero": "№", "textasciiacute": "´",
    "textasciidieresis": "¨", "textasciimacron": "¯", "textbrokenbar": "¦", "textminus": "−",
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
    "neq": "≠", "ne": "≠", "approx": "≈", "sum": "∑", "in": "∈", "vartheta": "ϑ",
    "varpi": "ϖ", "varrho": "ϱ", "varsigma": "ς", "Upsilon": "Υ", "sim": "∼", "ast": "∗",
    "star": "⋆", "prime": "′", "partial": "∂", "nabla": "∇", "forall": "∀", "exists": "∃",
    "emptyset": "∅", "cup": "∪", "cap": "∩", "subset": "⊂", "subseteq": "⊆", "mid": "∣",
    "cdots": "⋯", "ll": "≪", "gg": "≫", "equiv": "≡", "propto": "∝", "div": "÷",
    "mp": "∓", "neg": "¬", "wedge": "∧", "vee": "∨", "Rightarrow": "⇒", "Leftarrow": "⇐",
    "leftrightarrow": "↔", "Leftrightarrow": "⇔", "mapsto": "↦", "ldotp": ".",
    "bullet": "∙", "langle": "⟨", "rangle": "⟩", "lvert": "|", "rvert": "|",
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
    "textsubscript": "sub", "texttt": None, "textrm": None, "textsf": None,
    "textnormal": None, "textmd": None, "mbox": None, "hbox": None, "text": None,
    "ensuremath": None, "textcircled": None, "mkbibitalic": "i", "mkbibsubscript": "sub",
    "textup": None, "mathrm": None, "mathit": "i", "mathbf": "b", "mathsf": None,
    "mathtt": None, "mathcal": None, "mathbb": None, "boldsymbol": "b", "operatorname": None,
    "uppercase": None, "MakeUppercase": None, "lowercase": None, "MakeLowercase": None,
    "NoCaseChange": "nocase", "textnc": "nocase",
}

#: commands whose one argument is quoted: name → (opening mark, closing mark)
QUOTING = {"mkbibquote": ("“", "”"), "enquote": ("“", "”"), "textquote": ("“", "”")}

#: Unicode superscript and subscript forms, for ``^`` and ``_`` in math as plain text
SUPERSCRIPTS = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", strict=True))
SUBSCRIPTS = dict(zip("0123456789+-=()aeioux", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢₒᵤₓ", strict=True))  # fmt: skip

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
        "pagebreak",
        "linebreak",
        "discretionary",
    }
)

#: commands followed by a TeX dimension, which is dropped with them
TAKES_DIMENSION = frozenset({"kern", "lower", "raise", "hskip", "vskip", "mkern", "hspace*"})

#: commands whose argument is verbatim (no TeX processing)
VERBATIM = frozenset({"url", "path", "nolinkurl", "verb", "file", "doi"})
