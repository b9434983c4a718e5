// Worker stations. The "near me" button asks the browser for the phone's position (WGS-84) and submits the
// search form with it; when the person refuses or the phone cannot tell, it says so and moves to the district
// list below. Each <div class="station-map" data-map="ID"> is drawn with Leaflet from the JSON in
// <script id="ID"> (Django's json_script) when the deployment configured a tile server.
(function () {
  function locate(button) {
    var form = button.form;
    var status = form.querySelector("[data-locate-status]");
    function say(text) { status.hidden = false; status.textContent = text; }
    function fail(text) {
      say(text);
      button.disabled = false;
      var fallback = document.querySelector("[data-locate-fallback] select");
      if (fallback) fallback.focus();
    }
    if (!("geolocation" in navigator)) { fail(button.dataset.unsupported); return; }
    button.disabled = true;
    say(button.dataset.waiting);
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("[name=lng]").value = pos.coords.longitude.toFixed(6);
      form.submit();
    }, function (err) {
      fail(err && err.code === 1 ? button.dataset.denied : button.dataset.failed);
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.map);
    if (!source || !window.L) return;
    var data = JSON.parse(source.textContent);
    if (!data.tiles) return;
    var map = window.L.map(el, { zoomSnap: 0.25 });
    window.L.tileLayer(data.tiles, { maxZoom: 18, attribution: data.attribution || "" }).addTo(map);
    var bounds = [];
    if (data.here) {
      window.L.circleMarker([data.here.lat, data.here.lng], {
        radius: 7, color: "#fff", weight: 2, fillColor: "#2563eb", fillOpacity: 1,
      }).addTo(map);
      bounds.push([data.here.lat, data.here.lng]);
    }
    (data.points || []).forEach(function (p) {
      var marker = window.L.circleMarker([p.lat, p.lng], {
        radius: 9, color: "#1f2937", weight: 1, fillColor: p.open ? "#16a34a" : "#94a3b8", fillOpacity: 0.9,
      }).addTo(map);
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.name;  // text, never HTML
      marker.bindPopup(link);
      bounds.push([p.lat, p.lng]);
    });
    if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    else if (bounds.length === 1) map.setView(bounds[0], 15);
    window.addEventListener("resize", function () { map.invalidateSize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-locate]").forEach(function (button) {
      button.addEventListener("click", function () { locate(button); });
    });
    document.querySelectorAll(".station-map[data-map]").forEach(draw);
  });
})();
