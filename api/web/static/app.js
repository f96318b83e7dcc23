// Hermanar: municipality and locality autocomplete on the home page. No
// dependencies.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list || !window.fetch) return;
  var base = input.getAttribute("data-suggest");
  var timer = null, seq = 0, active = -1, items = [];

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  }
  function mark() {
    var lis = list.querySelectorAll("li");
    for (var i = 0; i < lis.length; i++) lis[i].setAttribute("aria-selected", i === active ? "true" : "false");
  }
  function fmt(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  var none = input.getAttribute("data-none") || "";
  function show(places) {
    items = places || [];
    list.textContent = "";
    if (!items.length) {
      // Say that nothing matched rather than show an empty list.
      var li = document.createElement("li");
      li.className = "none";
      li.setAttribute("role", "status");
      li.textContent = none;
      list.appendChild(li);
      list.hidden = !none;
      input.setAttribute("aria-expanded", "false");
      active = -1;
      return;
    }
    items.forEach(function (p, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "sugg-" + i;
      var a = document.createElement("a");
      a.href = p.url;
      a.className = "suggestion" + (p.kind === "place" ? " locality" : "");
      a.textContent = (p.label || (p.name + ", " + (p.admin1 || ""))) + " ";
      var small = document.createElement("small");
      small.textContent = "· " + fmt(p.population);
      a.appendChild(small);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
    mark();
  }
  function lookup() {
    var q = input.value.trim();
    if (q.length < 2) { close(); return; }
    var my = ++seq;
    fetch(base + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { places: [] }; })
      .then(function (d) { if (my === seq) show(d.places); })
      .catch(function () { close(); });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 120);
  });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { active = Math.min(active + 1, items.length - 1); mark(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); mark(); e.preventDefault(); }
    else if (e.key === "Enter" && active >= 0 && items[active]) { window.location.href = items[active].url; e.preventDefault(); }
    else if (e.key === "Escape") { close(); }
  });
  document.addEventListener("click", function (e) { if (e.target !== input && !list.contains(e.target)) close(); });
})();
