/*
 * Trace an object: drag a rectangle over the picture to fill the region's four inputs.
 *
 * Progressive enhancement: without it the investigator types the numbers. The picture is an SVG
 * whose viewBox is the upright picture's own size, so a pointer position maps to the picture's
 * pixels however the preview was scaled (by the server or by the page's width). No markup is
 * written as text: the console requires Trusted Types, and nothing here needs a string sink.
 */
(function () {
  "use strict";

  var svg = document.getElementById("trace-picture");
  var rect = document.getElementById("trace-box");
  var form = document.getElementById("trace-form");
  if (!svg || !rect || !form || !svg.viewBox || !svg.viewBox.baseVal) {
    return;
  }
  var NAMES = ["left", "top", "width", "height"];
  var inputs = {};
  for (var i = 0; i < NAMES.length; i += 1) {
    inputs[NAMES[i]] = form.elements.namedItem(NAMES[i]);
    if (!inputs[NAMES[i]]) {
      return;
    }
  }
  var frame = svg.viewBox.baseVal;
  var start = null;

  Array.prototype.forEach.call(document.querySelectorAll(".trace-drag-hint"), function (hint) {
    hint.hidden = false;
  });
  svg.style.cursor = "crosshair";
  svg.style.touchAction = "none"; // a drag on a touch screen draws, it does not scroll

  function clamp(value, low, high) {
    return Math.min(Math.max(value, low), high);
  }

  // The pointer in the picture's pixels, kept inside the picture.
  function pixel(event) {
    var bounds = svg.getBoundingClientRect();
    if (bounds.width === 0 || bounds.height === 0) {
      return null;
    }
    return {
      x: clamp(Math.round((event.clientX - bounds.left) * frame.width / bounds.width), 0,
        frame.width),
      y: clamp(Math.round((event.clientY - bounds.top) * frame.height / bounds.height), 0,
        frame.height)
    };
  }

  function draw(region) {
    if (!region || region.width <= 0 || region.height <= 0) {
      rect.setAttribute("visibility", "hidden");
      return;
    }
    rect.setAttribute("x", String(region.left));
    rect.setAttribute("y", String(region.top));
    rect.setAttribute("width", String(region.width));
    rect.setAttribute("height", String(region.height));
    rect.removeAttribute("visibility");
  }

  function between(a, b) {
    return {
      left: Math.min(a.x, b.x),
      top: Math.min(a.y, b.y),
      width: Math.abs(a.x - b.x),
      height: Math.abs(a.y - b.y)
    };
  }

  svg.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) {
      return;
    }
    start = pixel(event);
    if (start && svg.setPointerCapture) {
      svg.setPointerCapture(event.pointerId);
    }
    event.preventDefault();
  });

  svg.addEventListener("pointermove", function (event) {
    var here = start && pixel(event);
    if (here) {
      draw(between(start, here));
    }
  });

  function finish(event) {
    var here = start && pixel(event);
    var chosen = here && between(start, here);
    start = null;
    if (!chosen || chosen.width === 0 || chosen.height === 0) {
      return; // a click, not a drag: the inputs keep what they had
    }
    NAMES.forEach(function (name) {
      inputs[name].value = String(chosen[name]);
    });
    draw(chosen);
  }

  svg.addEventListener("pointerup", finish);
  svg.addEventListener("pointercancel", function () {
    start = null;
  });

  // Typed numbers move the rectangle too, so both ways show the same region.
  NAMES.forEach(function (name) {
    inputs[name].addEventListener("input", function () {
      var region = {};
      for (var j = 0; j < NAMES.length; j += 1) {
        region[NAMES[j]] = parseInt(inputs[NAMES[j]].value, 10);
        if (isNaN(region[NAMES[j]])) {
          draw(null);
          return;
        }
      }
      draw(region);
    });
  });
}());
