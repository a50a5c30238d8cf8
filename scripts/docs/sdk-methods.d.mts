/** Every method of the SDK client's resources as a dotted path, e.g. `contacts.bulk.create`. */
export function sdkMethods(client: object): string[];
