// The Files store: uploaded batch inputs and the output/error files the
// emulator writes. Listing follows the real API: newest first by default,
// cursor `after` = the id of the last file on the previous page.
import type { IdMinter } from './ids.js';
import type { Clock, FileObject, FilePurpose, FileRecord } from './types.js';

export class FileStore {
  private readonly files = new Map<string, FileRecord>();

  constructor(
    private readonly ids: IdMinter,
    private readonly clock: Clock,
  ) {}

  create(
    filename: string,
    purpose: FilePurpose,
    content: Buffer,
    { createdAtMs = this.clock.now(), id = this.ids.next('file') }: { createdAtMs?: number; id?: string } = {},
  ): FileRecord {
    const record: FileRecord = { id, filename, purpose, createdAtMs, content };
    this.files.set(record.id, record);
    return record;
  }

  get(id: string): FileRecord | undefined {
    return this.files.get(id);
  }

  delete(id: string): boolean {
    return this.files.delete(id);
  }

  /** All files in creation order. */
  all(): FileRecord[] {
    return [...this.files.values()];
  }

  list(query: { limit: number; after?: string; order: 'asc' | 'desc'; purpose?: string }): {
    data: FileObject[];
    has_more: boolean;
  } {
    let records = this.all().filter((f) => query.purpose === undefined || f.purpose === query.purpose);
    if (query.order === 'desc') records = records.reverse();
    const start = query.after === undefined ? 0 : records.findIndex((f) => f.id === query.after) + 1;
    const page = records.slice(start, start + query.limit);
    return { data: page.map(toFileObject), has_more: start + query.limit < records.length };
  }
}

export function toFileObject(record: FileRecord): FileObject {
  return {
    id: record.id,
    object: 'file',
    bytes: record.content.length,
    created_at: Math.floor(record.createdAtMs / 1000),
    expires_at: null,
    filename: record.filename,
    purpose: record.purpose,
    status: 'processed',
    status_details: null,
  };
}
