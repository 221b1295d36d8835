/* Progressive enhancement for the comments inbox; everything works without it.
   The bulk-action bar appears (sticky at the bottom of the window) only while a comment is ticked. */
(function () {
  "use strict";
  var bar = document.querySelector("[data-bulk-bar]");
  if (!bar) { return; }
  var boxes = bar.form.querySelectorAll("input[name=comment_ids]");
  function update() {
    var any = false;
    boxes.forEach(function (box) { any = any || box.checked; });
    bar.hidden = !any;
  }
  bar.classList.add("floating");
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
