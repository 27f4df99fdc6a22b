/**
 * A bonjour-service instance restricted to one interface, plus typed access to the two internals
 * Shoebox needs (Node only). bonjour-service does not expose its mDNS socket or its query
 * responder, and its typings do not list the multicast-dns options (`interface`, `bind`), so both
 * are reached here, in one place, with a runtime check that fails loudly if a later version
 * changes shape.
 */
import Bonjour from 'bonjour-service';

/** An mDNS resource record as multicast-dns / dns-packet take it. */
export interface MdnsRecord {
  name: string;
  type: string;
  ttl?: number;
  /** The cache-flush bit (RFC 6762 section 10.2), for records this host alone owns. */
  flush?: boolean;
  class?: string;
  data?: unknown;
}

export interface MdnsPacket {
  type?: 'query' | 'response';
  id?: number;
  flags?: number;
  questions?: { name: string; type: string }[];
  answers?: MdnsRecord[];
  additionals?: MdnsRecord[];
  authorities?: MdnsRecord[];
}

export interface RemoteInfo {
  address: string;
  port: number;
}

/** The multicast-dns instance inside bonjour-service. */
export interface MdnsSocket {
  on(
    event: 'query' | 'response',
    listener: (
      packet: Required<Pick<MdnsPacket, 'questions' | 'answers' | 'additionals' | 'authorities'>>,
      rinfo: RemoteInfo,
    ) => void,
  ): unknown;
  on(event: 'error' | 'warning', listener: (err: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  query(packet: MdnsPacket, callback?: (err?: Error | null) => void): void;
  respond(packet: MdnsPacket, callback?: (err?: Error | null) => void): void;
}

/** bonjour-service's query responder: answers queries from its registered records. */
export interface MdnsResponder {
  register(records: MdnsRecord[]): void;
  /** Removes every registered record with the same name and type as one of these. */
  unregister(records: MdnsRecord[]): void;
  mdns: MdnsSocket;
}

export interface InterfaceBonjourOptions {
  /** IPv4 address of the interface to use for multicast membership and sending. */
  interfaceAddress: string;
  /**
   * Local address the UDP socket binds to. Default 0.0.0.0: binding the interface's own unicast
   * address would, on Linux, receive no multicast at all. Multicast still joins and leaves only
   * through `interfaceAddress`.
   */
  bindAddress?: string;
  /** mDNS port; 5353 unless a test says otherwise. */
  port?: number;
}

export interface InterfaceBonjour {
  bonjour: Bonjour;
  responder: MdnsResponder;
  mdns: MdnsSocket;
  /** Closes the socket; resolves when it is closed. */
  destroy(): Promise<void>;
}

export interface BonjourErrorHandlers {
  /** Fatal socket errors (port in use, permission denied) and failed responses. */
  onError: (err: Error) => void;
  /** Non-fatal trouble: an undecodable packet, a failed multicast membership. */
  onWarning?: (err: Error) => void;
}

export function createInterfaceBonjour(
  options: InterfaceBonjourOptions,
  handlers: BonjourErrorHandlers,
): InterfaceBonjour {
  const { onError, onWarning = () => undefined } = handlers;
  if (!options.interfaceAddress)
    throw new Error('An interface address is required: Shoebox never uses every interface');
  const mdnsOptions = {
    interface: options.interfaceAddress,
    bind: options.bindAddress ?? '0.0.0.0',
    ...(options.port !== undefined ? { port: options.port } : {}),
  };
  // The typings claim ServiceConfig; the options really go to multicast-dns.
  const bonjour = new Bonjour(mdnsOptions, onError);
  const responder = (bonjour as unknown as { server?: MdnsResponder }).server;
  if (
    !responder ||
    typeof responder.register !== 'function' ||
    typeof responder.unregister !== 'function' ||
    typeof responder.mdns?.respond !== 'function' ||
    typeof responder.mdns?.query !== 'function'
  ) {
    bonjour.destroy();
    throw new Error(
      'bonjour-service internals changed (server.register / server.mdns): ' +
        'update shared/discovery/interface-bonjour.nodejs.ts',
    );
  }
  const mdns = responder.mdns;
  // multicast-dns emits 'error' for EADDRINUSE / EACCES; without a listener it would throw.
  mdns.on('error', onError);
  mdns.on('warning', onWarning);
  let closed: Promise<void> | undefined;
  return {
    bonjour,
    responder,
    mdns,
    destroy: () => (closed ??= new Promise<void>((resolve) => bonjour.destroy(() => resolve()))),
  };
}
