// Optional enhancements; the page is complete without them. Sorting of the ranked table
// (click a column header), expand/collapse of every category, and every category open
// when printing.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  function key(cell, numeric) {
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    if (numeric) {
      var v = parseFloat(raw);
      return isNaN(v) ? -Infinity : v;
    }
    return raw.trim().toLowerCase();
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var body = table.tBodies[0];
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, col) {
      if (th.classList.contains("nosort")) {
        return;
      }
      var numeric = th.getAttribute("data-type") === "number";
      th.classList.add("sorter");
      th.setAttribute("tabindex", "0");
      th.setAttribute("title", "Sort by this column");
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) {
          h.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col], numeric);
          var y = key(b.cells[col], numeric);
          var order = x > y ? 1 : x < y ? -1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) {
          body.appendChild(row);
        });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sort();
        }
      });
    });
  });

  var categories = document.querySelectorAll("details.category");
  Array.prototype.forEach.call(document.querySelectorAll("[data-expand]"), function (button) {
    button.addEventListener("click", function () {
      var open = button.getAttribute("data-expand") === "open";
      Array.prototype.forEach.call(categories, function (d) {
        d.open = open;
      });
    });
  });

  // A link to a category opens it.
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    if (target && target.tagName === "DETAILS") {
      target.open = true;
    }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();

  var wasOpen = [];
  window.addEventListener("beforeprint", function () {
    wasOpen = Array.prototype.map.call(categories, function (d) {
      return d.open;
    });
    Array.prototype.forEach.call(categories, function (d) {
      d.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    Array.prototype.forEach.call(categories, function (d, i) {
      d.open = wasOpen[i] === true;
    });
  });
})();
