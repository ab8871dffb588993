import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

export interface ServiceMetrics {
  registry: Registry
  uploadedImages: Counter<'format'>
  publishedImages: Counter
  publishedThumbnailsError: Counter
  variantJobsTakenOver: Counter
  variantJobsDeferred: Counter
  variantsOwed: Gauge
  deletedImages: Counter
  rotatedImages: Counter
  errorCounter: Counter
  rejectedRequests: Counter<'route' | 'reason'>
  storageErrors: Counter<'store' | 'operation'>
  storageRequests: Counter<'store' | 'operation'>
  commandDuration: Histogram<'program' | 'operation' | 'format'>
  commandFailures: Counter<'program' | 'operation'>
  commandTimeouts: Counter<'program' | 'operation'>
  thumbnailGenerationsTime: Histogram<'format' | 'size'>
  thumbnailRotationsTime: Histogram
  autoorientTime: Histogram
}

// Image work takes from milliseconds (a small PNG) to seconds (a 100 MP JPEG).
const SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/**
 * The service's own metrics in `registry`: the older service's names (which dashboards use)
 * with their meaning kept or stated in docs/operating.md, and the newer ones.
 */
/** A gauge read at scrape time from `read`: the plugin that owns the value adds it to the registry. */
export function readGauge (registry: Registry, name: string, help: string, read: () => number): void {
  registry.registerMetric(new Gauge({ name, help, registers: [], collect () { this.set(read()) } }))
}

export function createServiceMetrics (registry: Registry): ServiceMetrics {
  const registers = [registry]
  const counter = <L extends string = never>(name: string, help: string, labelNames: L[] = []): Counter<L> => new Counter({ name, help, labelNames, registers })
  const histogram = <L extends string = never>(name: string, help: string, labelNames: L[] = []): Histogram<L> => new Histogram({ name, help, labelNames, buckets: SECONDS, registers })
  return {
    registry,
    uploadedImages: counter('uploaded_images', 'Images uploaded, by the format sent', ['format']),
    publishedImages: counter('published_images', 'Images published'),
    publishedThumbnailsError: counter('published_thumbnails_error', 'Background WebP/AVIF jobs that failed'),
    variantJobsTakenOver: counter('variant_jobs_taken_over', 'Owed WebP/AVIF jobs taken over from markers nobody refreshed for a lease'),
    variantJobsDeferred: counter('variant_jobs_deferred', 'WebP/AVIF jobs left to their markers because IMAGING_QUEUE_LIMIT jobs were held: a later sweep makes them'),
    variantsOwed: new Gauge({ name: 'variants_owed', help: 'Images whose WebP/AVIF variants (or a rotate\'s new family) are owed: the pending- markers in incoming, all instances\' together, counted at the last sweep', registers }),
    deletedImages: counter('deleted_images', 'Images deleted'),
    rotatedImages: counter('rotated_images', 'Images rotated'),
    errorCounter: counter('error_counter', 'Requests that ended in an error'),
    rejectedRequests: counter('rejected_requests_total', 'Requests answered 503, by route and reason', ['route', 'reason']),
    storageErrors: counter('storage_errors_total', 'Storage calls that failed after their retries, by store and operation', ['store', 'operation']),
    storageRequests: counter('storage_requests_total', 'Requests sent to S3, each retry too, answered or not, by store and S3 operation (none on local folders)', ['store', 'operation']),
    commandDuration: histogram('image_command_duration_seconds', 'Seconds each spawned image program ran, by program, operation and image format', ['program', 'operation', 'format']),
    commandFailures: counter('image_command_failures_total', 'Image programs that exited with an error or were killed (a refused damaged upload too)', ['program', 'operation']),
    commandTimeouts: counter('image_command_timeouts_total', 'Image programs stopped at their wall or CPU time limit', ['program', 'operation']),
    thumbnailGenerationsTime: histogram('thumbnail_generations_time', 'Seconds of each ImageMagick pass that makes thumbnails or variants: by its output formats and the sizes it makes at once', ['format', 'size']),
    thumbnailRotationsTime: histogram('thumbnail_rotations_time', 'Seconds to rotate an original'),
    autoorientTime: histogram('autoorient_time', 'Seconds to turn a JPEG original upright')
  }
}
