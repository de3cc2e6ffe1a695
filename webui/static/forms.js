/* Conditional form fields: a field whose wrapper carries data-when is shown only while one of its
   conditions holds, and starred while one of the conditions requiring it holds. The server renders every
   field with a note of when it applies (so the form works without JavaScript) and validates the answers;
   this script only follows the answers as they change. Answers of hidden fields do not count. */
(function () {
  "use strict";

  function answers(form, hiddenNames) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || hiddenNames[el.name] || el.type === "hidden") { return; }
      if (el.type === "checkbox" && el.value === "true") { out[el.name] = el.checked ? "true" : "false"; return; }
      if (el.type === "checkbox") {
        out[el.name] = out[el.name] || [];
        if (el.checked) { out[el.name].push(el.value); }
        return;
      }
      if (el.type === "radio" && !el.checked) { return; }
      if (el.value !== "") { out[el.name] = el.value; }
    });
    return out;
  }

  function passes(test, data) {
    var value = data[test.field];
    var present = value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0);
    var found;
    if (!("in" in test)) { found = present; }
    else if (Array.isArray(value)) { found = value.some(function (v) { return test["in"].indexOf(v) >= 0; }); }
    else { found = present && test["in"].indexOf(value) >= 0; }
    return test.not ? !found : found;
  }

  function holds(rule, data) {
    var all = rule.all.every(function (t) { return passes(t, data); });
    return rule["else"] ? !all : all;
  }

  function fieldName(wrapper) {
    return wrapper.id ? wrapper.id.replace(/^field-/, "") :
      (wrapper.querySelector("[name]") || {}).name;
  }

  function update(form) {
    var wrappers = form.querySelectorAll("[data-when]");
    var hidden = {};
    for (var round = 0; round <= wrappers.length; round += 1) {
      var data = answers(form, hidden);
      var next = {};
      Array.prototype.forEach.call(wrappers, function (wrapper) {
        var when = JSON.parse(wrapper.getAttribute("data-when"));
        var shown = when.show === null || when.show.some(function (r) { return holds(r, data); });
        if (!shown) { next[fieldName(wrapper)] = true; }
      });
      var same = Object.keys(next).join() === Object.keys(hidden).join();
      hidden = next;
      if (same) { break; }
    }
    var final = answers(form, hidden);
    Array.prototype.forEach.call(wrappers, function (wrapper) {
      var when = JSON.parse(wrapper.getAttribute("data-when"));
      var shown = !hidden[fieldName(wrapper)];
      var required = shown && (when.required || when.require.some(function (r) { return holds(r, final); }));
      wrapper.hidden = !shown;
      var star = wrapper.querySelector(".field-required");
      if (star) { star.hidden = !required; }
      var note = wrapper.querySelector(".field-when");
      if (note) { note.hidden = true; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
      if (!form.querySelector("[data-when]")) { return; }
      form.classList.add("conditional-ready");
      update(form);
      form.addEventListener("change", function () { update(form); });
      form.addEventListener("input", function () { update(form); });
    });
  });
}());
