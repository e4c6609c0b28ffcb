/* Timeline filters: narrow the list of events by partner, programme and theme.
 *
 * The page lists every event without this script; the script shows the filter form
 * (hidden in the HTML), hides the events that do not match, and keeps the choice in
 * the address (?partner=kazakhstan&theme=crisis), so a filtered view can be shared.
 * Material's instant navigation swaps pages without reloading: document$ emits on
 * every page, so the form is set up again each time the timeline is shown.
 */
(function () {
  "use strict";

  var FIELDS = { partner: "partners", programme: "programmes", theme: "themes" };

  function setUp() {
    var form = document.getElementById("kb-filters");
    if (!form || form.getAttribute("data-ready")) return;
    form.setAttribute("data-ready", "true");
    var items = Array.prototype.slice.call(document.querySelectorAll(".kb-timeline .kb-event"));
    var years = document.querySelectorAll(".kb-timeline .kb-year");
    var phases = document.querySelectorAll(".kb-timeline .kb-phase");
    var count = document.getElementById("kb-filter-count");
    var share = document.getElementById("kb-filter-link");

    function chosen() {
      var values = {};
      Object.keys(FIELDS).forEach(function (name) { values[name] = form.elements[name].value; });
      return values;
    }

    function query(values) {
      var params = new URLSearchParams();
      Object.keys(FIELDS).forEach(function (name) { if (values[name]) params.set(name, values[name]); });
      var text = params.toString();
      return text ? "?" + text : "";
    }

    function apply(remember) {
      var values = chosen();
      var shown = 0;
      items.forEach(function (item) {
        var match = Object.keys(FIELDS).every(function (name) {
          if (!values[name]) return true;
          return (item.getAttribute("data-" + FIELDS[name]) || "").split(" ").indexOf(values[name]) >= 0;
        });
        item.hidden = !match;
        if (match) shown += 1;
      });
      Array.prototype.forEach.call(years, function (year) {
        year.hidden = !year.querySelector(".kb-event:not([hidden])");
      });
      Array.prototype.forEach.call(phases, function (phase) {
        var empty = phase.querySelector(".kb-phase-empty");
        if (empty) empty.hidden = Boolean(phase.querySelector(".kb-event:not([hidden])"));
      });
      var filtered = shown !== items.length;
      count.textContent = filtered ? shown + " of " + items.length + " events match" : items.length + " events";
      var address = location.pathname + query(values);
      share.href = address;
      share.hidden = !filtered;
      if (remember) history.replaceState(history.state, "", address + location.hash);
    }

    var params = new URLSearchParams(location.search);
    Object.keys(FIELDS).forEach(function (name) {
      var value = params.get(name);
      var select = form.elements[name];
      if (value && Array.prototype.some.call(select.options, function (o) { return o.value === value; })) select.value = value;
    });
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    apply(false);
  }

  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
