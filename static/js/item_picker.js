/* A type-to-search input over a catalogue item <select data-item-picker>.
 *
 * The select stays the form field (and the page works without JavaScript as a plain select);
 * this adds a search box that asks data-search-url for the items matching the words typed
 * (name, code, words such as 占道), on the date in the input named by data-date-input, and
 * sets the select to the item chosen. The select may render only its chosen option: the search
 * finds the others. An element named by data-fallback (a plain input for browsers without
 * JavaScript) is hidden and disabled. Keyboard: arrows to move, Enter to choose, Esc to close.
 */
(function () {
  "use strict";

  var counter = 0;

  function labelOf(select) {
    var option = select.options[select.selectedIndex];
    return option && option.value ? option.textContent.trim() : "";
  }

  function init(select) {
    if (select.dataset.pickerReady) return;
    select.dataset.pickerReady = "1";
    counter += 1;
    var listId = "item-picker-results-" + counter;
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control item-picker-input";
    input.id = select.id + "_search";
    input.placeholder = select.dataset.placeholder || "";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.dataset.testid = "item-search";
    input.value = labelOf(select);

    var list = document.createElement("ul");
    list.className = "list-group item-picker-results";
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", select.dataset.resultsLabel || "");
    list.hidden = true;

    var wrapper = document.createElement("div");
    wrapper.className = "item-picker";
    select.parentNode.insertBefore(wrapper, select);
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.appendChild(select);
    select.hidden = true;
    select.tabIndex = -1;
    // The plain input a page offers for browsers without JavaScript (an item code) steps aside.
    var fallback = document.getElementById(select.dataset.fallback || "");
    if (fallback) {
      fallback.hidden = true;
      fallback.querySelectorAll("input").forEach(function (field) { field.disabled = true; });
    }
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (label) label.htmlFor = input.id;

    var timer = null;
    var active = -1;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(item) {
      var value = String(item.id);
      var found = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
      if (!found) select.add(new Option(item.code + " " + item.name, value));
      select.value = value;
      input.value = item.code + " " + item.name;
      close();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function mark(index) {
      var rows = list.querySelectorAll("[role=option]");
      if (!rows.length) return;
      active = (index + rows.length) % rows.length;
      rows.forEach(function (row, i) {
        row.classList.toggle("active", i === active);
        row.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", rows[active].id);
      rows[active].scrollIntoView({ block: "nearest" });
    }

    function note(text) {
      var li = document.createElement("li");
      li.className = "list-group-item small text-muted";
      li.textContent = text;
      list.appendChild(li);
    }

    function show(data) {
      list.innerHTML = "";
      active = -1;
      data.items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.className = "list-group-item list-group-item-action item-picker-option";
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var code = document.createElement("span");
        code.className = "mono me-2";
        code.textContent = item.code;
        var name = document.createElement("span");
        name.textContent = item.name;
        li.appendChild(code);
        li.appendChild(name);
        if (item.field) {
          var field = document.createElement("div");
          field.className = "small text-muted";
          field.textContent = item.field;
          li.appendChild(field);
        }
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { choose(item); });
        li._item = item;
        list.appendChild(li);
      });
      if (!data.items.length) note(select.dataset.emptyText || "");
      if (data.more) note(select.dataset.moreText || "");
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function search() {
      var words = input.value.trim();
      if (!words) { close(); return; }
      var url = select.dataset.searchUrl + "?q=" + encodeURIComponent(words);
      var ticket = ++asked;
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { items: [], more: false }; })
        .then(function (data) { if (ticket === asked) show(data); })
        .catch(function () { /* offline: the typed words stay, nothing is chosen */ });
    }

    input.addEventListener("input", function () {
      if (input.value.trim() !== labelOf(select)) select.value = "";
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        mark(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter") {
        if (!list.hidden) {
          event.preventDefault();
          var rows = list.querySelectorAll("[role=option]");
          var row = rows[active >= 0 ? active : 0];
          if (row) choose(row._item);
        }
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () {
      close();
      if (!select.value) return;
      input.value = labelOf(select);
    });
  }

  function initAll(root) {
    (root || document).querySelectorAll("select[data-item-picker]").forEach(init);
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { initAll(event.target); });
})();
