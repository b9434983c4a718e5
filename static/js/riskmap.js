// The risk map: each <div class="risk-map" data-map="ID"> is drawn with Leaflet from the JSON in <script id="ID">
// (Django's json_script): {tiles, attribution, points: [{lat, lng, name, level, level_label, score, url}]}.
// Tiles load only when the deployment configured a tile URL; otherwise the circles sit on a plain background.
(function () {
  var COLORS = { red: "#c8102e", orange: "#ea580c", yellow: "#eab308", none: "#64748b" };
  var RADIUS = { red: 11, orange: 9, yellow: 8, none: 6 };

  function draw(el) {
    var source = document.getElementById(el.dataset.map);
    if (!source || !window.L) return;
    var data = JSON.parse(source.textContent);
    var points = data.points || [];
    var map = window.L.map(el, { attributionControl: Boolean(data.tiles), zoomSnap: 0.25 });
    if (data.tiles) {
      window.L.tileLayer(data.tiles, { maxZoom: 18, attribution: data.attribution || "" }).addTo(map);
    }
    var bounds = [];
    // Red last, so the gravest warnings are drawn on top.
    var order = { none: 0, yellow: 1, orange: 2, red: 3 };
    points.slice().sort(function (a, b) { return order[a.level] - order[b.level]; }).forEach(function (p) {
      var color = COLORS[p.level] || COLORS.none;
      var marker = window.L.circleMarker([p.lat, p.lng], {
        radius: RADIUS[p.level] || 6, color: "#1f2937", weight: 1, fillColor: color, fillOpacity: 0.85,
      }).addTo(map);
      var box = document.createElement("div");
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.name;  // text, never HTML: names come from imported files
      box.appendChild(link);
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(p.level_label + " · " + p.score));
      marker.bindPopup(box);
      bounds.push([p.lat, p.lng]);
    });
    if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
    } else if (bounds.length === 1) {
      map.setView(bounds[0], 13);
    } else {
      map.setView([35.0, 105.0], 4);  // China, when there is nothing to show
    }
    window.addEventListener("resize", function () { map.invalidateSize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".risk-map[data-map]").forEach(draw);
  });
})();
