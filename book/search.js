// book/search.js: the HTML book's search, run by search.html.
//
// It needs no server: search-index.js, loaded before this file as a plain
// script, sets SEARCH_INDEX (written by book/render.py) to
//   sections: [title, page#id, text]   every headed part of every page
//   files:    [path, page, [[name, kind, line], ...]]   every source view
// The query comes from the page's address (search.html?q=walk), which is
// where the search box of every page sends it.  Results: first the
// definitions whose name matches (a link to the line), then the files
// whose path matches, then the sections holding every word of the query,
// those with the words in their title first.

(function () {
  "use strict";

  var query = (new URLSearchParams(window.location.search).get("q") || "").trim();
  var results = document.getElementById("results");
  var box = document.querySelector(".search input");
  if (!query || !results) {
    return;
  }
  box.value = query;
  document.title = query + " · " + document.title;

  var q = query.toLowerCase();
  var words = q.split(/\s+/);

  // An element with the given class and text.
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  // How well a definition's name matches: 3 exactly, 2 as a prefix,
  // 1 anywhere in it, 0 not at all.
  function nameScore(name) {
    name = name.toLowerCase();
    if (name === q) return 3;
    if (name.indexOf(q) === 0) return 2;
    return q.length >= 3 && name.indexOf(q) >= 0 ? 1 : 0;
  }

  var defs = [];
  var files = [];
  SEARCH_INDEX.files.forEach(function (file) {
    if (file[0].toLowerCase().indexOf(q) >= 0) files.push(file);
    file[2].forEach(function (d) {
      var score = nameScore(d[0]);
      if (score) defs.push({score: score, name: d[0], kind: d[1], path: file[0],
                            href: file[1] + "#L" + d[2], line: d[2]});
    });
  });
  // Best match first; a body before a declaration; headers last.
  defs.sort(function (a, b) {
    return b.score - a.score ||
      (a.kind === "declaration") - (b.kind === "declaration") ||
      /\.h$/.test(a.path) - /\.h$/.test(b.path) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  });

  function escape(word) {
    return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  // A whole word (walk in "vm.c:walk") counts three times as much as a
  // piece of one (walk in "walkthrough").
  var whole = words.map(function (w) { return new RegExp("\\b" + escape(w) + "\\b", "g"); });

  var found = [];
  SEARCH_INDEX.sections.forEach(function (s) {
    var title = s[0].toLowerCase(), text = s[2].toLowerCase();
    var hits = 0;
    for (var i = 0; i < words.length; i++) {
      var n = text.split(words[i]).length - 1 + (title.indexOf(words[i]) >= 0 ? 1 : 0);
      if (n === 0) return;
      hits += n + 2 * (text.match(whole[i]) || []).length;
    }
    var inTitle = words.every(function (w) { return title.indexOf(w) >= 0; });
    found.push({score: hits + (inTitle ? 1000 : 0), section: s});
  });
  found.sort(function (a, b) { return b.score - a.score; });

  // The text around the first word of the query, the words marked.
  function snippet(text) {
    var at = Math.max(0, text.toLowerCase().indexOf(words[0]) - 80);
    var piece = (at > 0 ? "… " : "") + text.substr(at, 220) +
                (at + 220 < text.length ? " …" : "");
    var p = el("p");
    var re = new RegExp("(" + words.map(escape).join("|") + ")", "ig");
    piece.split(re).forEach(function (part, i) {
      p.appendChild(i % 2 ? el("mark", "", part) : document.createTextNode(part));
    });
    return p;
  }

  // One list of results under a heading.
  function list(heading, items, limit, fill) {
    if (!items.length) return;
    results.appendChild(el("h2", "", heading + " (" + items.length + ")"));
    var ul = el("ul");
    items.slice(0, limit).forEach(function (item) {
      var li = el("li");
      fill(li, item);
      ul.appendChild(li);
    });
    results.appendChild(ul);
    if (items.length > limit) {
      results.appendChild(el("p", "", "… and " + (items.length - limit) + " more."));
    }
  }

  function link(href, text, code) {
    var a = el("a");
    a.href = href;
    a.appendChild(code ? el("code", "", text) : document.createTextNode(text));
    return a;
  }

  results.textContent = "";
  list("Definitions in the code", defs, 40, function (li, d) {
    li.appendChild(link(d.href, d.name, true));
    li.appendChild(el("span", "where", " " + d.kind + ", " + d.path + " line " + d.line));
  });
  list("Source files", files, 40, function (li, f) {
    li.appendChild(link(f[1], f[0], true));
  });
  list("In the book", found, 60, function (li, f) {
    li.appendChild(link(f.section[1], f.section[0], false));
    li.appendChild(snippet(f.section[2]));
  });
  if (!results.firstChild) {
    results.appendChild(el("p", "", "Nothing matches \u201c" + query + "\u201d."));
  }
})();
