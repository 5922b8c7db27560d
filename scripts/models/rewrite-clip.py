"""Rewrites PP-OCRv4 det's opset-12 Clip nodes (min/max given as constant inputs) into the
attribute form that OpenCV 4.6's ONNX importer reads (it reads only the `min`/`max` attributes
and fails on the extra inputs). The constants feeding them are dropped when nothing else uses
them. Nothing else changes, and the output is byte-for-byte deterministic.

Usage: /usr/bin/python3 rewrite-clip.py INPUT.onnx OUTPUT.onnx   (needs Debian's python3-onnx)
"""
import sys

import onnx
from onnx import helper, numpy_helper


def scalar(name, constants, initializers):
    if name in initializers:
        return float(numpy_helper.to_array(initializers[name]).reshape(-1)[0])
    node = constants[name]
    return float(numpy_helper.to_array(node.attribute[0].t).reshape(-1)[0])


def main(source, target):
    model = onnx.load(source)
    graph = model.graph
    constants = {n.output[0]: n for n in graph.node if n.op_type == "Constant"}
    initializers = {i.name: i for i in graph.initializer}
    rewritten = 0
    nodes = []
    for node in graph.node:
        if node.op_type == "Clip" and len(node.input) > 1:
            attributes = {}
            if len(node.input) > 1 and node.input[1]:
                attributes["min"] = scalar(node.input[1], constants, initializers)
            if len(node.input) > 2 and node.input[2]:
                attributes["max"] = scalar(node.input[2], constants, initializers)
            nodes.append(helper.make_node("Clip", [node.input[0]], list(node.output), name=node.name, **attributes))
            rewritten += 1
        else:
            nodes.append(node)
    used = {name for node in nodes for name in node.input}
    used |= {output.name for output in graph.output}
    kept = [n for n in nodes if not (n.op_type == "Constant" and n.output[0] not in used)]
    del graph.node[:]
    graph.node.extend(kept)
    if rewritten == 0:
        sys.exit("rewrite-clip: no Clip nodes with min/max inputs found")
    with open(target, "wb") as handle:
        handle.write(model.SerializeToString(deterministic=True))
    print(f"rewrite-clip: {rewritten} Clip nodes rewritten", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
