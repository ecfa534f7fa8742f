// The pairing page: a candidate picker (filters, select what is shown, the count selected) and
// the group editor (drag a kindergarten to another group, or change its group number).
// Without JavaScript both forms still work: every candidate is a checkbox, every group a number.
(function () {
  "use strict";

  // Candidate picker ---------------------------------------------------------------------------
  var picker = document.querySelector("form[data-picker]");
  if (picker) {
    var rows = Array.prototype.slice.call(picker.querySelectorAll("tr[data-candidate]"));
    var filters = Array.prototype.slice.call(picker.querySelectorAll("[data-filter]"));
    var shownOut = picker.querySelector("[data-shown]");
    var selectedOut = picker.querySelector("[data-selected]");

    var box = function (row) { return row.querySelector("input[type=checkbox]"); };
    var count = function () {
      var selected = 0;
      rows.forEach(function (row) { if (box(row).checked) { selected += 1; } });
      selectedOut.textContent = String(selected);
    };
    var apply = function () {
      var wanted = {};
      filters.forEach(function (f) { wanted[f.getAttribute("data-filter")] = f.value.trim(); });
      var shown = 0;
      rows.forEach(function (row) {
        var ok = ["county", "zone", "locale", "ownership"].every(function (key) {
          return !wanted[key] || row.getAttribute("data-" + key) === wanted[key];
        }) && (!wanted.q || row.getAttribute("data-name").indexOf(wanted.q) !== -1);
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      shownOut.textContent = String(shown);
    };
    filters.forEach(function (f) {
      f.addEventListener(f.tagName === "SELECT" ? "change" : "input", apply);
    });
    picker.addEventListener("change", function (event) {
      if (event.target.name === "candidate_ids") { count(); }
    });
    picker.querySelectorAll("[data-select]").forEach(function (button) {
      button.addEventListener("click", function () {
        var on = button.getAttribute("data-select") === "shown";
        rows.forEach(function (row) { if (!row.hidden) { box(row).checked = on; } });
        count();
      });
    });
    // Enter in the search box filters; it must not send the form.
    filters.forEach(function (f) {
      f.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); apply(); }
      });
    });
    apply();
    count();
  }

  // Group editor -------------------------------------------------------------------------------
  var editor = document.querySelector("form[data-pair-editor]");
  if (!editor) { return; }
  var container = editor.querySelector(".pair-groups");

  var groupBox = function (number) {
    return container.querySelector('fieldset[data-group="' + number + '"]');
  };
  var newGroup = function (number) {
    // A group number beyond the last one: a new card like the others.
    var card = document.createElement("fieldset");
    card.className = "pair-group";
    card.setAttribute("data-group", number);
    card.setAttribute("data-testid", "pair-group-" + number);
    var legend = document.createElement("legend");
    legend.textContent = "第 " + number + " 组 ";
    var small = document.createElement("small");
    small.className = "muted";
    small.setAttribute("data-group-count", "");
    legend.appendChild(small);
    var reason = document.createElement("p");
    reason.className = "pair-reason";
    reason.textContent = "（手动分组）";
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "reason_" + number;
    hidden.value = "";
    hidden.setAttribute("data-reason", "");
    var list = document.createElement("ul");
    list.className = "pair-list";
    var problems = document.createElement("ul");
    problems.className = "pair-problems";
    problems.setAttribute("data-problems", "");
    problems.setAttribute("data-testid", "problems-" + number);
    problems.setAttribute("role", "alert");
    problems.hidden = true;
    card.appendChild(legend);
    card.appendChild(reason);
    card.appendChild(hidden);
    card.appendChild(problems);
    card.appendChild(list);
    container.insertBefore(card, groupBox(""));
    watch(card);
    return card;
  };
  var recount = function () {
    container.querySelectorAll("fieldset[data-group]").forEach(function (card) {
      var n = card.querySelectorAll(".pair-member").length;
      var out = card.querySelector("[data-group-count]");
      if (out) { out.textContent = n + " 所"; }
    });
  };
  var check = function (card) {
    // The hard rule, at once and in the group's own line: no two kindergartens of one county.
    // It replaces the server's same-county lines (they said the same of the group as sent).
    var box = card.querySelector("[data-problems]");
    if (!box || card.getAttribute("data-group") === "") { return; }
    box.querySelectorAll('li[data-code="pairing.same_county"], li[data-live]').forEach(
      function (li) { li.remove(); });
    var byCounty = {};
    var order = [];
    card.querySelectorAll(".pair-member").forEach(function (m) {
      var county = m.getAttribute("data-county");
      if (!byCounty[county]) { byCounty[county] = []; order.push(county); }
      byCounty[county].push(m);
    });
    order.forEach(function (county) {
      var members = byCounty[county];
      if (members.length < 2) { return; }
      var li = document.createElement("li");
      li.setAttribute("data-live", "");
      li.setAttribute("data-code", "pairing.same_county");
      li.textContent = "第" + card.getAttribute("data-group") + "组有" + members.length +
        "所幼儿园同属" + members[0].getAttribute("data-county-name") + "（" +
        members.map(function (m) { return m.getAttribute("data-name"); }).join("、") +
        "），同一县（市、区）的幼儿园不能分在一组";
      box.appendChild(li);
    });
    box.hidden = box.children.length === 0;
  };
  var changed = function (card) {
    // A group whose members changed by hand: its suggested reason no longer tells the story.
    if (!card || card.getAttribute("data-group") === "") { return; }
    var reason = card.querySelector(".pair-reason");
    var hidden = card.querySelector("[data-reason]");
    if (hidden && hidden.value && hidden.value.indexOf("（已手动调整）") === -1) {
      hidden.value = hidden.value + "（已手动调整）";
      reason.textContent = hidden.value;
    } else if (hidden && !hidden.value) {
      reason.textContent = "（手动分组）";
    }
  };
  var place = function (member, number) {
    var from = member.closest("fieldset[data-group]");
    var target = groupBox(number) || (number && /^\d+$/.test(number) ? newGroup(number) : null);
    if (!target || target === from) { return; }
    target.querySelector(".pair-list").appendChild(member);
    member.querySelector("input.pair-number").value = number;
    changed(from);
    changed(target);
    if (from) { check(from); }
    check(target);
    recount();
  };

  editor.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("pair-number")) { return; }
    var value = input.value.trim();
    if (value === "" || /^\d+$/.test(value)) {
      place(input.closest(".pair-member"), value === "" ? "" : String(parseInt(value, 10)));
    }
  });

  var dragged = null;
  editor.addEventListener("dragstart", function (event) {
    dragged = event.target.closest && event.target.closest(".pair-member");
    if (dragged) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.getAttribute("data-kg"));
    }
  });
  editor.addEventListener("dragend", function () {
    dragged = null;
    container.querySelectorAll(".drop").forEach(function (c) { c.classList.remove("drop"); });
  });
  var watch = function (card) {
    card.addEventListener("dragover", function (event) {
      if (dragged) { event.preventDefault(); card.classList.add("drop"); }
    });
    card.addEventListener("dragleave", function () { card.classList.remove("drop"); });
    card.addEventListener("drop", function (event) {
      event.preventDefault();
      card.classList.remove("drop");
      if (dragged) { place(dragged, card.getAttribute("data-group")); }
    });
  };
  container.querySelectorAll("fieldset[data-group]").forEach(function (card) {
    watch(card);
    check(card);
  });
  recount();
})();
