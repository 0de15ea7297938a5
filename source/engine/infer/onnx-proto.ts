import {readFile} from 'node:fs/promises';
import protobuf from 'protobufjs';
import {messageOf} from '../../errors.js';

/**
 * The few parts of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto) deepmask needs:
 * the model's metadata_props, and enough of a graph to write small models: the probe `deepmask doctor` runs,
 * and the broken models of the fault suite.
 */
const root = protobuf.Root.fromJSON({
	nested: {
		StringStringEntryProto: {fields: {key: {type: 'string', id: 1}, value: {type: 'string', id: 2}}},
		OperatorSetIdProto: {fields: {domain: {type: 'string', id: 1}, version: {type: 'int64', id: 2}}},
		AttributeProto: {
			fields: {
				name: {type: 'string', id: 1},
				i: {type: 'int64', id: 3},
				ints: {rule: 'repeated', type: 'int64', id: 8},
				type: {type: 'int32', id: 20},
			},
		},
		NodeProto: {
			fields: {
				input: {rule: 'repeated', type: 'string', id: 1},
				output: {rule: 'repeated', type: 'string', id: 2},
				name: {type: 'string', id: 3},
				opType: {type: 'string', id: 4},
				attribute: {rule: 'repeated', type: 'AttributeProto', id: 5},
			},
		},
		TensorProto: {
			fields: {
				dims: {rule: 'repeated', type: 'int64', id: 1},
				dataType: {type: 'int32', id: 2},
				floatData: {rule: 'repeated', type: 'float', id: 4},
				int64Data: {rule: 'repeated', type: 'int64', id: 7},
				name: {type: 'string', id: 8},
			},
		},
		Dimension: {fields: {dimValue: {type: 'int64', id: 1}, dimParam: {type: 'string', id: 2}}},
		TensorShapeProto: {fields: {dim: {rule: 'repeated', type: 'Dimension', id: 1}}},
		TensorTypeProto: {fields: {elemType: {type: 'int32', id: 1}, shape: {type: 'TensorShapeProto', id: 2}}},
		TypeProto: {fields: {tensorType: {type: 'TensorTypeProto', id: 1}}},
		ValueInfoProto: {fields: {name: {type: 'string', id: 1}, type: {type: 'TypeProto', id: 2}}},
		GraphProto: {
			fields: {
				node: {rule: 'repeated', type: 'NodeProto', id: 1},
				name: {type: 'string', id: 2},
				initializer: {rule: 'repeated', type: 'TensorProto', id: 5},
				input: {rule: 'repeated', type: 'ValueInfoProto', id: 11},
				output: {rule: 'repeated', type: 'ValueInfoProto', id: 12},
			},
		},
		ModelProto: {
			fields: {
				irVersion: {type: 'int64', id: 1},
				producerName: {type: 'string', id: 2},
				graph: {type: 'GraphProto', id: 7},
				opsetImport: {rule: 'repeated', type: 'OperatorSetIdProto', id: 8},
				metadataProps: {rule: 'repeated', type: 'StringStringEntryProto', id: 14},
			},
		},
	},
});
const StringStringEntry = root.lookupType('StringStringEntryProto');
export const ModelProto = root.lookupType('ModelProto');

const IR_VERSION = 1;
const GRAPH = 7;
const METADATA_PROPS = 14;

export class NotOnnxError extends Error {}

/**
 * The metadata_props of an ONNX model, key → raw string value. Walks the top level of ModelProto and
 * decodes only field 14, skipping the graph (the weights) without decoding it. Throws NotOnnxError when
 * the bytes are not a ModelProto with an ir_version and a graph.
 */
export function decodeMetadataProps(bytes: Uint8Array): Record<string, string> {
	const reader = protobuf.Reader.create(bytes);
	const props: Record<string, string> = {};
	const seen = new Set<number>();
	try {
		while (reader.pos < reader.len) {
			const tag = reader.uint32();
			const field = tag >>> 3;
			const wireType = tag & 7;
			if (field === 0 || wireType > 5 || wireType === 3 || wireType === 4)
				throw new NotOnnxError(`bad protobuf tag ${tag}`);
			seen.add(field);
			if (field === METADATA_PROPS && wireType === 2) {
				const entry = StringStringEntry.toObject(StringStringEntry.decode(reader, reader.uint32())) as {
					key?: string;
					value?: string;
				};
				if (entry.key) props[entry.key] = entry.value ?? '';
			} else {
				reader.skipType(wireType);
			}
		}
	} catch (error) {
		if (error instanceof NotOnnxError) throw error;
		throw new NotOnnxError(messageOf(error));
	}
	if (!seen.has(IR_VERSION) || !seen.has(GRAPH)) throw new NotOnnxError('no ir_version or graph field');
	return props;
}

export async function readMetadataProps(file: string): Promise<Record<string, string>> {
	return decodeMetadataProps(await readFile(file));
}

/** A valid one-node model (Identity on a float tensor [1, 4]): enough to see whether an execution provider loads. */
export function encodeProbeModel(): Uint8Array {
	const tensor = (name: string) => ({
		name,
		type: {tensorType: {elemType: 1, shape: {dim: [{dimValue: 1}, {dimValue: 4}]}}},
	});
	const message = ModelProto.fromObject({
		irVersion: 8,
		producerName: 'deepmask',
		opsetImport: [{domain: '', version: 17}],
		graph: {
			name: 'probe',
			node: [{opType: 'Identity', input: ['x'], output: ['y'], name: 'id'}],
			input: [tensor('x')],
			output: [tensor('y')],
		},
	});
	return ModelProto.encode(message).finish();
}
