/* Docket designer: bpmn-js viewers (versions, uploads, case progress) and the modeler with a small
 * properties form for what Docket reads (lane group, candidate groups, due in / calendar, form key).
 * Works on the global BpmnJS of whichever bpmn-js bundle the page loaded (viewer or modeler). */
(function () {
  "use strict";

  var SPIFF = {
    name: "SpiffWorkflow", uri: "http://spiffworkflow.org/bpmn/schema/1.0/core", prefix: "spiffworkflow",
    xml: { tagAlias: "lowerCase" },
    types: [
      { name: "Properties", superClass: ["Element"],
        properties: [{ name: "properties", type: "Property", isMany: true }] },
      { name: "Property", superClass: ["Element"],
        properties: [{ name: "name", isAttr: true, type: "String" }, { name: "value", isAttr: true, type: "String" }] },
      { name: "CalledDecisionId", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
      { name: "InstructionsForEndUser", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
      { name: "PreScript", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
      { name: "PostScript", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
      { name: "ServiceTaskOperator", superClass: ["Element"],
        properties: [{ name: "id", isAttr: true, type: "String" }, { name: "resultVariable", isAttr: true, type: "String" },
          { name: "parameterList", type: "Parameters" }] },
      { name: "Parameters", superClass: ["Element"], properties: [{ name: "parameters", type: "Parameter", isMany: true }] },
      { name: "Parameter", superClass: ["Element"],
        properties: [{ name: "id", isAttr: true, type: "String" }, { name: "type", isAttr: true, type: "String" },
          { name: "value", isAttr: true, type: "String" }] },
      { name: "MultiInstanceScripts", extends: ["bpmn:MultiInstanceLoopCharacteristics"],
        properties: [{ name: "scriptsOnInstances", isAttr: true, type: "Boolean" }] }
    ]
  };
  var MARKERS = { added: "dk-added", changed: "dk-changed", error: "dk-error" };
  // bpmn-js names an event by its kind (if any), its place and whether it interrupts: "Timer Boundary Event
  // (Non Interrupting)"; the panel table has the kinds and the places apart.
  var EVENT_TYPE = /^(?:(.+?) )?(Start Event|End Event|Boundary Event|Intermediate Catch Event|Intermediate Throw Event)( \(Non Interrupting\))?$/;
  var T = {};
  var translate = function (text) { return text; };

  function $(sel, root) { return (root || document).querySelector(sel); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }
  function localTime(iso) {
    if (!iso) { return "—"; }
    var d = new Date(iso);
    return d.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false }).replace(/\//g, "-");
  }
  function status(container, text, isError) {
    var node = document.getElementById(container.id + "-status");
    if (node) { node.textContent = text; node.classList.toggle("error-text", !!isError); }
  }
  function hasDiagram(xml) { return /BPMNDiagram/.test(xml) && /BPMNShape|BPMNEdge/.test(xml); }

  /* Import ``xml`` into ``viewer``; sets data-state to ok / error on the container and reports warnings. */
  function importInto(viewer, container, xml) {
    container.setAttribute("data-state", "loading");
    status(container, T.loading || "");
    return viewer.importXML(xml).then(function (result) {
      var warnings = (result && result.warnings) || [];
      container.setAttribute("data-state", "ok");
      container.setAttribute("data-warnings", String(warnings.length));
      status(container, warnings.length ? fmt(T.warnings || "{n}", { n: warnings.length }) : "");
      if (!hasDiagram(xml)) { status(container, T.no_diagram || "", false); }
      try { viewer.get("canvas").zoom("fit-viewport", "auto"); } catch (e) { /* empty diagram */ }
      return viewer;
    }).catch(function (err) {
      container.setAttribute("data-state", "error");
      container.setAttribute("data-error", String(err && err.message || err));
      status(container, (T.import_error || "") + " " + (err && err.message || err), true);
      throw err;
    });
  }

  function addMarkers(viewer, markers) {
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    Object.keys(markers || {}).forEach(function (kind) {
      (markers[kind] || []).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, MARKERS[kind] || kind); }
      });
    });
  }

  function render(container) {
    var source = $(container.getAttribute("data-xml"));
    var markers = JSON.parse(container.getAttribute("data-markers") || "{}");
    var viewer = new window.BpmnJS({ container: container, moddleExtensions: { spiffworkflow: SPIFF } });
    container.bpmnViewer = viewer;
    return importInto(viewer, container, source.value).then(function () { addMarkers(viewer, markers); })
      .catch(function () { /* shown in the status line */ });
  }

  /* ---- case progress ---------------------------------------------------------------------------- */

  /* A case diagram inside a closed <details> is drawn when the panel first opens (a hidden canvas has no size). */
  function whenShown(container) {
    var panel = container.closest("details");
    if (!panel || panel.open) { caseDiagram(container); return; }
    panel.addEventListener("toggle", function once() {
      if (!panel.open) { return; }
      panel.removeEventListener("toggle", once);
      caseDiagram(container);
    });
  }

  /* At a readable size: 100 %, scrolled to the open step (the diagram pans; fit-to-width shrinks big processes). */
  function readable(viewer, data) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var here = (data.current || []).concat(data.errors || []).map(function (id) { return registry.get(id); })
      .filter(Boolean)[0];
    canvas.zoom(1);
    if (here) {
      var box = canvas.viewbox();
      canvas.viewbox({ x: here.x + here.width / 2 - box.width / 2, y: here.y + here.height / 2 - box.height / 2,
                       width: box.width, height: box.height });
    }
  }

  function caseDiagram(container) {
    var viewer = new window.BpmnJS({ container: container, moddleExtensions: { spiffworkflow: SPIFF } });
    container.bpmnViewer = viewer;
    fetch(container.getAttribute("data-case-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status + " " + r.statusText); } return r.json(); })
      .then(function (data) {
        container.caseData = data;
        return importInto(viewer, container, data.xml).then(function () {
          status(container, "");  // import warnings are for designers, not for the people following a case
          paintProgress(viewer, container, data);
          readable(viewer, data);
        });
      })
      .catch(function (err) {
        container.setAttribute("data-state", "error");
        status(container, (T.import_error || "") + " " + (err && err.message || err), true);
      });
  }

  function paintProgress(viewer, container, data) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var done = new Set(data.completed), current = new Set(data.current.concat(data.errors));
    function mark(id, cls) { if (registry.get(id)) { canvas.addMarker(id, cls); } }
    data.completed.forEach(function (id) { mark(id, "dk-done"); });
    data.current.forEach(function (id) { mark(id, "dk-current"); });
    data.errors.forEach(function (id) { mark(id, "dk-error"); });
    data.overdue.forEach(function (id) { if (current.has(id)) { mark(id, "dk-overdue"); } });
    registry.filter(function (e) { return e.type === "bpmn:SequenceFlow"; }).forEach(function (flow) {
      var bo = flow.businessObject;
      if (bo.sourceRef && bo.targetRef && done.has(bo.sourceRef.id) &&
          (done.has(bo.targetRef.id) || current.has(bo.targetRef.id))) {
        canvas.addMarker(flow.id, "dk-done");
      }
    });
    viewer.get("eventBus").on("element.click", function (event) { showDetails(event.element, data); });
    container.setAttribute("data-current", data.current.join(" "));
    var first = data.errors.concat(data.current).map(function (id) { return registry.get(id); })
      .filter(function (e) { return e && /Task/.test(e.type); })[0];
    if (first) { showDetails(first, data); }
  }

  function stateOf(id, data) {
    if (data.errors.indexOf(id) >= 0) { return ["error", T.error]; }
    if (data.current.indexOf(id) >= 0) {
      return data.overdue.indexOf(id) >= 0 ? ["overdue", T.overdue] : ["current", T.current];
    }
    if (data.completed.indexOf(id) >= 0) { return ["done", T.completed]; }
    return ["none", T.not_reached];
  }

  function showDetails(element, data) {
    var panel = document.getElementById("diagram-details");
    if (!panel || !element || element.type === "label") { return; }
    var bo = element.businessObject;
    if (!/Task|Event|Gateway|SubProcess|CallActivity/.test(element.type)) { return; }
    var state = stateOf(bo.id, data);
    panel.innerHTML = "";
    panel.setAttribute("data-element", bo.id);
    panel.appendChild(el("h3", { text: displayName(bo) }));
    panel.appendChild(el("p", {}, [el("span", { class: "badge state-" + state[0], text: state[1] || "" }),
      el("code", { text: " " + bo.id })]));
    (data.tasks[bo.id] || []).slice().reverse().forEach(function (t) {
      var dl = el("dl", { class: "data" });
      function row(label, value) { dl.appendChild(el("dt", { text: label })); dl.appendChild(el("dd", { text: value })); }
      row(T.state, (T.states || {})[t.state] || t.state);
      if (t.assignee) { row(T.assignee, t.assignee); }
      if (t.candidate_groups.length || t.candidate_users.length) {
        row(T.candidates, t.candidate_groups.concat(t.candidate_users).join("、"));
      }
      if (t.due_at) { row(T.due, localTime(t.due_at) + (t.overdue ? " · " + T.overdue : "")); }
      if (t.completed_by) { row(T.completed_by, t.completed_by); }
      if (t.completed_at) { row(T.completed_at, localTime(t.completed_at)); }
      var box = el("div", { class: "task-detail" + (t.overdue ? " overdue" : "") }, [dl]);
      if (t.state === "open" || t.state === "claimed") {
        box.appendChild(el("a", { class: "btn small primary", href: t.url, text: T.open_task }));
      }
      panel.appendChild(box);
    });
  }

  /* An element as people name it: its name; a collaboration without one takes the name of its only pool;
   * otherwise a neutral word (never the id). */
  function displayName(bo) {
    if (bo.name) { return bo.name; }
    if (bo.$type === "bpmn:Collaboration") {
      var named = (bo.participants || []).filter(function (p) { return p.name; });
      if (named.length === 1) { return named[0].name; }
    }
    return T.untitled || "";
  }

  /* The type of an element in the page's language, named as the properties panel names it: "User Task",
   * "Timer Boundary Event (Non Interrupting)". */
  function typeLabel(element) {
    var bo = element.businessObject, type = element.type.replace(/^bpmn:/, "");
    if (type === "SubProcess" || type === "AdHocSubProcess") {  // as the panel names them: by shape and trigger
      if (bo.triggeredByEvent) { return translate("Event Sub Process"); }
      var expanded = element.di ? element.di.isExpanded === true : true;
      return translate((expanded ? "Expanded " : "Collapsed ") + (type === "AdHocSubProcess" ? "Ad Hoc " : "") +
                       "Sub Process");
    }
    var definition = (bo.eventDefinitions || [])[0];
    if (definition) {
      type = definition.$type.replace(/^bpmn:/, "").replace("EventDefinition", "") + type;
      if ((element.type === "bpmn:StartEvent" && bo.isInterrupting === false) ||
          (element.type === "bpmn:BoundaryEvent" && bo.cancelActivity === false)) { type += "NonInterrupting"; }
    }
    return translate(type.replace(/(\B[A-Z])/g, " $1").replace(/(\bNon Interrupting)/g, "($1)"));
  }

  /* ---- modeler ---------------------------------------------------------------------------------- */

  function spiffProps(bo) {
    var out = {};
    var ext = bo.get ? bo.get("extensionElements") : bo.extensionElements;
    ((ext && ext.get("values")) || []).forEach(function (v) {
      if (v.$type === "spiffworkflow:Properties") {
        v.get("properties").forEach(function (p) { out[p.name] = p.value; });
      }
    });
    return out;
  }

  function setSpiffProp(modeler, element, bo, name, value) {
    var moddle = modeler.get("moddle"), modeling = modeler.get("modeling");
    var ext = bo.get("extensionElements");
    if (!ext) {
      if (!value) { return; }
      ext = moddle.create("bpmn:ExtensionElements", { values: [] });
      ext.$parent = bo;
      modeling.updateModdleProperties(element, bo, { extensionElements: ext });
    }
    var props = ext.get("values").filter(function (v) { return v.$type === "spiffworkflow:Properties"; })[0];
    if (!props) {
      if (!value) { return; }
      props = moddle.create("spiffworkflow:Properties", { properties: [] });
      props.$parent = ext;
      modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([props]) });
    }
    var list = props.get("properties");
    var prop = list.filter(function (p) { return p.name === name; })[0];
    if (!value) {
      if (prop) { modeling.updateModdleProperties(element, props, { properties: list.filter(function (p) { return p !== prop; }) }); }
    } else if (prop) {
      modeling.updateModdleProperties(element, prop, { value: value });
    } else {
      prop = moddle.create("spiffworkflow:Property", { name: name, value: value });
      prop.$parent = props;
      modeling.updateModdleProperties(element, props, { properties: list.concat([prop]) });
    }
  }

  function field(id, label, value, opts) {
    opts = opts || {};
    var input;
    if (opts.options) {
      input = el("select", { id: id, class: "field-input" });
      opts.options.forEach(function (o) {
        var option = el("option", { value: o[0], text: o[1] });
        if (o[0] === value) { option.selected = true; }
        input.appendChild(option);
      });
    } else {
      input = el("input", { id: id, class: "field-input", type: "text" });
      input.value = value || "";
      if (opts.list) { input.setAttribute("list", opts.list); }
      if (opts.readonly) { input.readOnly = true; }
    }
    var wrap = el("div", { class: "field" }, [el("label", { class: "field-label", for: id, text: label }), input]);
    if (opts.help) { wrap.appendChild(el("p", { class: "field-help", text: opts.help })); }
    return { wrap: wrap, input: input };
  }

  function propsForm(modeler, panel, element) {
    panel.innerHTML = "";
    var modeling = modeler.get("modeling");
    var bo = element && element.businessObject;
    if (!element || !bo) { panel.appendChild(el("p", { class: "muted", text: T.pick })); return; }
    var target = bo, targetElement = element;
    if (element.type === "bpmn:Participant" && bo.processRef) { target = bo.processRef; }
    var type = element.type;
    panel.setAttribute("data-element", bo.id);
    panel.appendChild(el("h3", { text: displayName(bo) }));
    panel.appendChild(el("p", { class: "muted element-kind" }, [el("span", { text: typeLabel(element) + " · " }),
      el("code", { text: bo.id })]));
    function bind(f, apply) {
      f.input.addEventListener("change", function () { apply(f.input.value.trim()); });
      panel.appendChild(f.wrap);
    }
    var isProcess = type === "bpmn:Process" || type === "bpmn:Participant";
    if (isProcess) {
      bind(field("prop-process-id", T.process_id, target.id), function (v) {
        if (v) { modeling.updateModdleProperties(targetElement, target, { id: v }); }
      });
      bind(field("prop-process-name", T.name, target.name), function (v) {
        modeling.updateModdleProperties(targetElement, target, { name: v || undefined });
      });
      return;
    }
    bind(field("prop-name", T.name, bo.name), function (v) { modeling.updateLabel(element, v); });
    var props = spiffProps(bo);
    if (type === "bpmn:Lane") {
      bind(field("prop-group", T.group, props.group, { list: "known-groups", help: T.lane_help }),
        function (v) { setSpiffProp(modeler, element, bo, "group", v); });
      return;
    }
    if (type === "bpmn:UserTask" || type === "bpmn:ManualTask") {
      bind(field("prop-formKey", T.form_key, props.formKey, { list: "known-forms" }),
        function (v) { setSpiffProp(modeler, element, bo, "formKey", v); });
      bind(field("prop-candidateGroups", T.candidate_groups, props.candidateGroups,
        { list: "known-groups", help: T.groups_help }),
        function (v) { setSpiffProp(modeler, element, bo, "candidateGroups", v); });
      bind(field("prop-dueIn", T.due_in, props.dueIn), function (v) { setSpiffProp(modeler, element, bo, "dueIn", v); });
      bind(field("prop-calendar", T.calendar, props.calendar || "calendar",
        { options: [["calendar", T.calendar_days], ["workdays", T.working_days]] }),
        function (v) { setSpiffProp(modeler, element, bo, "calendar", v === "calendar" ? "" : v); });
    }
  }

  /* The panel's own labels in the page's language (``panel`` as the page gives it: labels, element types, event
   * kinds): a function like diagram-js's translate service, which leaves text it does not know as it is. */
  function translator(panel) {
    var labels = Object.assign({}, panel.types || {}, panel.labels || {});
    var kinds = panel.event_kinds || {};
    function known(table, text) { return Object.prototype.hasOwnProperty.call(table, text) ? table[text] : null; }
    function eventName(text) {
      var parts = EVENT_TYPE.exec(text);
      if (!parts) { return null; }
      var name = known(labels, (parts[1] ? parts[1] + " " : "") + parts[2]);
      if (!name) {
        var place = known(labels, parts[2]), kind = parts[1] ? known(kinds, parts[1]) : "{event}";
        if (!place || !kind) { return null; }
        name = fmt(kind, { event: place });
      }
      return parts[3] ? fmt(panel.non_interrupting || "{event}", { event: name }) : name;
    }
    return function (template, replacements) {
      var text = known(labels, template) || eventName(template) || template;
      return text.replace(/{([^}]+)}/g, function (_, key) { return (replacements || {})[key] || "{" + key + "}"; });
    };
  }

  // bpmn-js draws some menu icons (align, distribute, event toggles) as SVG markup with style attributes,
  // which the Content-Security-Policy refuses; the same declarations as SVG presentation attributes draw the
  // same icons. A last, low-priority provider rewrites them before the menu is shown.
  function styleToAttributes(html) {
    return html.replace(/ style="([^"]*)"/g, function (_match, css) {
      return css.split(";").filter(function (d) { return d.indexOf(":") > 0; }).map(function (decl) {
        var at = decl.indexOf(":");
        return " " + decl.slice(0, at).trim() + '="' + decl.slice(at + 1).trim() + '"';
      }).join("");
    });
  }

  function presentationIcons(entries) {
    Object.keys(entries).forEach(function (key) {
      var entry = entries[key];
      if (entry && entry.imageHtml) { entry.imageHtml = styleToAttributes(entry.imageHtml); }
      if (entry && entry.html) { entry.html = styleToAttributes(entry.html); }
    });
    return entries;
  }

  function policyFriendlyMenus(modeler) {
    var popupMenu = modeler.get("popupMenu", false), contextPad = modeler.get("contextPad", false);
    var last = function () { return presentationIcons; };
    if (popupMenu) {
      ["align-elements", "bpmn-replace"].forEach(function (menu) {
        popupMenu.registerProvider(menu, 1, { getPopupMenuEntries: last, getPopupMenuHeaderEntries: last });
      });
    }
    if (contextPad) {
      contextPad.registerProvider(1, { getContextPadEntries: last, getMultiElementContextPadEntries: last });
    }
  }

  function modelerPage(container) {
    var source = $(container.getAttribute("data-modeler"));
    var form = document.getElementById("modeler-form");
    var panel = document.getElementById("props");
    var panelBundle = window.BpmnJSPropertiesPanel;  // the official properties panel (vendor bundle)
    var options = { container: container, moddleExtensions: { spiffworkflow: SPIFF } };
    if (panelBundle && document.getElementById("properties-panel")) {
      options.additionalModules = panelBundle.modules.concat([{ translate: ["value", translate] }]);
      options.moddleExtensions.camunda = panelBundle.moddleExtensions.camunda;
      options.propertiesPanel = { parent: "#properties-panel" };
    }
    var modeler = new window.BpmnJS(options);
    container.bpmnViewer = modeler;
    policyFriendlyMenus(modeler);
    document.getElementById("xml-source").classList.add("js-hidden");
    importInto(modeler, container, source.value).then(function () {
      var canvas = modeler.get("canvas");  // leave room for the palette on the left
      canvas.zoom(canvas.zoom() * 0.92, "auto");
      canvas.scroll({ dx: 40, dy: 0 });
      addMarkers(modeler, JSON.parse(container.getAttribute("data-markers") || "{}"));
      propsForm(modeler, panel, modeler.get("canvas").getRootElement());
    }).catch(function () { document.getElementById("xml-source").classList.remove("js-hidden"); });
    modeler.on("selection.changed", function (e) {
      propsForm(modeler, panel, e.newSelection.length === 1 ? e.newSelection[0] : modeler.get("canvas").getRootElement());
    });
    form.addEventListener("submit", function (event) {
      if (container.getAttribute("data-state") !== "ok") { return; } // the XML text is sent as typed
      event.preventDefault();
      if (document.activeElement && document.activeElement.blur) { document.activeElement.blur(); }
      modeler.saveXML({ format: true }).then(function (result) {
        source.value = result.xml;
        form.submit();
      });
    });
    window.docketModeler = modeler;
  }

  function start() {
    var i18n = document.getElementById("designer-i18n");
    T = i18n ? JSON.parse(i18n.textContent) : {};
    translate = translator(T.panel || {});
    if (!window.BpmnJS) { return; }
    document.querySelectorAll(".bpmn-canvas[data-xml]").forEach(render);
    document.querySelectorAll(".bpmn-canvas[data-case-url]").forEach(whenShown);
    document.querySelectorAll(".bpmn-canvas[data-modeler]").forEach(modelerPage);
    document.querySelectorAll("form.preview").forEach(function (form) {  // form previews never submit
      form.addEventListener("submit", function (event) { event.preventDefault(); });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
