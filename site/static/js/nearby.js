// "Use my location" for the equipment catalogue: an enhancement only. Without JavaScript the
// visitor picks their residential community from the list and the same form works.
(function () {
  "use strict";
  var form = document.querySelector("form.near");
  if (!form || !("geolocation" in navigator)) return;
  var status = form.querySelector(".locate-status");
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button secondary";
  button.textContent = form.dataset.locateLabel;
  button.addEventListener("click", function () {
    status.textContent = form.dataset.locating;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(6);
        form.elements.lng.value = position.coords.longitude.toFixed(6);
        form.elements.community.value = "";
        form.submit();
      },
      function () {
        status.textContent = form.dataset.locateFailed;
      },
      { timeout: 15000, maximumAge: 600000 }
    );
  });
  form.querySelector(".near-actions").appendChild(button);
})();
