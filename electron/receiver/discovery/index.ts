/** Bonjour advertisement of the receiver (`_shoebox._tcp`). */
export {
  ReceiverAdvertiser,
  type AdvertiserEvents,
  type AdvertiserOptions,
  type AdvertiserUpdate,
} from './mdns-advertiser';
export {
  createAddressWatcher,
  interfaceNameOf,
  lanAddresses,
  pickInterfaceAddress,
  type AddressWatcher,
  type InterfaceSnapshot,
} from './address-watcher';
