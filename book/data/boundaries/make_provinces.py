"""Rebuild provinces-1960.geojson from Debian's gmt-dcw package (DCW-GMT 2.1.1, LGPL-3+).

Run once by hand, not by the build (it needs h5py and shapely, which the project does not):

    apt-get download gmt-dcw && dpkg-deb -x gmt-dcw_2.1.1-1_all.deb /tmp/dcw
    python make_provinces.py /tmp/dcw/usr/share/gmt-dcw/dcw-gmt.nc > provinces-1960.geojson

DCW-GMT stores each state as scaled 16-bit longitudes and latitudes; a longitude of 65535 starts
a new ring (latitude 1 there marks a hole). The modern provinces are merged to approximate the
divisions of 1960: Chongqing into Sichuan, Hainan into Guangdong. Taiwan, Hong Kong and Macao,
not under the People's Republic's rule in 1960, are left out.
"""

import json
import sys

import h5py
import numpy as np
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.ops import unary_union

NAMES = {
    "AH": "Anhui", "BJ": "Beijing", "FJ": "Fujian", "GD": "Guangdong", "GS": "Gansu",
    "GX": "Guangxi", "GZ": "Guizhou", "HA": "Henan", "HB": "Hubei", "HE": "Hebei",
    "HL": "Heilongjiang", "HN": "Hunan", "JL": "Jilin", "JS": "Jiangsu", "JX": "Jiangxi",
    "LN": "Liaoning", "NM": "Inner Mongolia", "NX": "Ningxia", "QH": "Qinghai", "SC": "Sichuan",
    "SD": "Shandong", "SH": "Shanghai", "SN": "Shaanxi", "SX": "Shanxi", "TJ": "Tianjin",
    "XJ": "Xinjiang", "XZ": "Tibet", "YN": "Yunnan", "ZJ": "Zhejiang",
}
MERGED = {"CQ": "SC", "HI": "GD"}
TOLERANCE = 0.04  # degrees: about 4 km, far below what a page or a phone shows


def rings(f: h5py.File, code: str) -> list[tuple[np.ndarray, bool]]:
    lon, lat = f[f"CN{code}_lon"], f[f"CN{code}_lat"]
    x = lon[:].astype(np.int64)
    y = lat[:].astype(np.int64)
    lon_min, lon_scale = float(lon.attrs["min"][0]), float(lon.attrs["scale"][0])
    lat_min, lat_scale = float(lat.attrs["min"][0]), float(lat.attrs["scale"][0])
    starts = list(np.flatnonzero(x == 65535)) + [len(x)]
    out = []
    for a, b in zip(starts, starts[1:]):
        pts = np.column_stack((lon_min + x[a + 1 : b] / lon_scale, lat_min + y[a + 1 : b] / lat_scale))
        if len(pts) >= 4:
            out.append((pts, y[a] == 1))
    return out


def polygon(f: h5py.File, code: str):
    outer = [Polygon(p).buffer(0) for p, hole in rings(f, code) if not hole]
    holes = [Polygon(p).buffer(0) for p, hole in rings(f, code) if hole]
    shape = unary_union(outer)
    if holes:
        shape = shape.difference(unary_union(holes))
    return shape


def main(path: str) -> None:
    f = h5py.File(path)
    features = []
    for code, name in sorted(NAMES.items(), key=lambda item: item[1]):
        parts = [polygon(f, code)] + [polygon(f, c) for c, into in MERGED.items() if into == code]
        shape = unary_union(parts).simplify(TOLERANCE, preserve_topology=True)
        if isinstance(shape, Polygon):
            shape = MultiPolygon([shape])
        # islands smaller than the simplification tolerance are dropped
        shape = MultiPolygon([p for p in shape.geoms if p.area > TOLERANCE**2])
        geometry = json.loads(json.dumps(mapping(shape)), parse_float=lambda s: round(float(s), 3))
        features.append({"type": "Feature", "properties": {"name": name}, "geometry": geometry})
    collection = {"type": "FeatureCollection", "features": features}
    sys.stdout.write(json.dumps(collection, separators=(",", ":"), sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
