import { ErrorCode } from '../../protocol/index.ts';
import type { DescribeClusterResponse, InitProducerIdRequest, InitProducerIdResponse, InputOf } from '../../protocol/index.ts';
import type { ProducerIdAllocator } from '../producer-ids.ts';
import type { RequestScope } from './scope.ts';

const NO_OPERATIONS = -2147483648;
const ENDPOINT_TYPE_BROKER = 1;

/** DescribeCluster: one broker, which is also the controller. Controller endpoints (type 2) are not served. */
export function handleDescribeCluster(scope: RequestScope, body: { endpointType: number }, clusterId: string, rack: string | null): InputOf<DescribeClusterResponse> {
  if (scope.apiVersion >= 1 && body.endpointType !== ENDPOINT_TYPE_BROKER) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
      errorMessage: `endpoint type ${body.endpointType} is not served: this broker has no separate controllers`,
      endpointType: body.endpointType,
      clusterId,
      controllerId: -1,
      brokers: [],
    };
  }
  const self = scope.endpoint();
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    endpointType: ENDPOINT_TYPE_BROKER,
    clusterId,
    controllerId: scope.nodeId,
    brokers: [{ brokerId: scope.nodeId, host: self.host, port: self.port, rack }],
    clusterAuthorizedOperations: NO_OPERATIONS,
  };
}

/**
 * InitProducerId for idempotent producers: a fresh producer id with epoch 0 each time (as Kafka
 * does without a transactional id). Transactional ids are refused: transactions are not supported.
 */
export function handleInitProducerId(body: InitProducerIdRequest, ids: ProducerIdAllocator): InputOf<InitProducerIdResponse> {
  if (body.transactionalId !== null) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, producerId: -1n, producerEpoch: -1 };
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: ids.allocate(), producerEpoch: 0 };
}
