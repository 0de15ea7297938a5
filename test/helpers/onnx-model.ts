/** Small ONNX models for tests, written with the project's own protobuf writer. */
import {writeFileSync} from 'node:fs';
import {ModelProto} from '../../source/engine/infer/onnx-proto.js';

export const FLOAT = 1;

/** A float tensor's name and shape; strings are symbolic dimensions (batch, dynamic sizes). */
export const tensorInfo = (name: string, dims: Array<number | string>) => ({
	name,
	type: {
		tensorType: {
			elemType: FLOAT,
			shape: {dim: dims.map((dim) => (typeof dim === 'number' ? {dimValue: dim} : {dimParam: dim}))},
		},
	},
});

/** Writes `graph` (nodes, initializers, inputs, outputs) as an opset-17 model to `file`. */
export function writeOnnxModel(file: string, graph: Record<string, unknown>): void {
	const message = ModelProto.fromObject({
		irVersion: 8,
		producerName: 'deepmask-tests',
		opsetImport: [{domain: '', version: 17}],
		graph,
	});
	writeFileSync(file, ModelProto.encode(message).finish());
}
