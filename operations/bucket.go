package operations

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
)

// GridFS bucket operations (Unified Test Format "Bucket Operations", GridFS spec)
// through the driver's GridFSBucket. deleteByName and renameByName, which the Go
// driver v2 does not have, are built here on the bucket's files and chunks collections
// as the GridFS spec describes them.

// hexBytes reads upload's source, {$$hexBytes: "<even number of hex digits>"}, as the
// bytes of the stream to upload. A malformed source is the test file's fault.
func hexBytes(dst *[]byte) arg {
	return func(v bson.RawValue) error {
		d, ok := v.DocumentOK()
		if !ok {
			return typeError(`{"$$hexBytes": <string>}`, v)
		}
		elems, err := d.Elements()
		if err != nil {
			return err
		}
		if len(elems) != 1 || elems[0].Key() != "$$hexBytes" {
			return fmt.Errorf(`must be {"$$hexBytes": <string>}, not %s`, d)
		}
		s, ok := elems[0].Value().StringValueOK()
		if !ok {
			return fmt.Errorf("$$hexBytes: %w", typeError("a string", elems[0].Value()))
		}
		b, err := hex.DecodeString(s)
		if err != nil {
			return fmt.Errorf("$$hexBytes: %w", err)
		}
		*dst = b
		return nil
	}
}

// rawValue stores any BSON value (a file id) as the driver marshals it.
func rawValue(dst *any) arg {
	return func(v bson.RawValue) error {
		*dst = v
		return nil
	}
}

// bucketUploadArgs reads the arguments of upload and uploadWithId (with id, uploadWithId
// requires it too).
func bucketUploadArgs(c *Call, id *any) (string, []byte, *options.GridFSUploadOptionsBuilder, error) {
	var (
		filename string
		source   []byte
		o        = options.GridFSUpload()
	)
	fs := fields{
		"filename":       stringVar(&filename),
		"source":         hexBytes(&source),
		"chunkSizeBytes": int32Arg(o.SetChunkSizeBytes),
		"metadata":       document(o.SetMetadata),
		// The Go driver v2 computes no MD5: the GridFS spec makes disableMD5 a no-op
		// once a driver has removed MD5 support.
		"disableMD5":  boolean(func(bool) any { return nil }),
		"contentType": unsupported("contentType on upload: the Go driver v2's GridFSUploadOptions has no contentType (deprecated by the GridFS spec)"),
		"aliases":     unsupported("aliases on upload: the Go driver v2's GridFSUploadOptions has no aliases (deprecated by the GridFS spec)"),
	}
	required := []string{"filename", "source"}
	if id != nil {
		fs["id"] = rawValue(id)
		required = append(required, "id")
	}
	err := c.parse(fs, required...)
	return filename, source, o, err
}

// bucketUpload uploads the source and returns the new file's id.
func bucketUpload(ctx context.Context, c *Call, b *entities.Bucket) (Returned, error) {
	filename, source, o, err := bucketUploadArgs(c, nil)
	if err != nil {
		return Returned{}, err
	}
	id, err := b.Bucket.UploadFromStream(ctx, filename, bytes.NewReader(source), o)
	return done(value(id), matchers.Nested, err)
}

// bucketUploadWithID uploads the source under the given id; it returns nothing.
func bucketUploadWithID(ctx context.Context, c *Call, b *entities.Bucket) (Returned, error) {
	var id any
	filename, source, o, err := bucketUploadArgs(c, &id)
	if err != nil {
		return Returned{}, err
	}
	err = b.Bucket.UploadFromStreamWithID(ctx, id, filename, bytes.NewReader(source), o)
	return done(bson.RawValue{}, 0, err)
}

// bucketDownload reads the whole file, which is also what raises the errors of missing
// or wrong-sized chunks. The bytes are returned as generic binary data, which
// $$matchesHexBytes compares as the spec's "string" of the stream's contents.
func bucketDownload(ctx context.Context, c *Call, b *entities.Bucket) (Returned, error) {
	var id any
	err := c.parse(fields{
		"id": rawValue(&id),
	}, "id")
	if err != nil {
		return Returned{}, err
	}
	return downloaded(b.Bucket.OpenDownloadStream(ctx, id))
}

func bucketDownloadByName(ctx context.Context, c *Call, b *entities.Bucket) (Returned, error) {
	var filename string
	o := options.GridFSName()
	err := c.parse(fields{
		"filename": stringVar(&filename),
		"revision": int32Arg(o.SetRevision),
	}, "filename")
	if err != nil {
		return Returned{}, err
	}
	return downloaded(b.Bucket.OpenDownloadStreamByName(ctx, filename, o))
}

func downloaded(ds *mongo.GridFSDownloadStream, err error) (Returned, error) {
	if err != nil {
		return Returned{Err: err}, nil
	}
	defer ds.Close()
	data, err := io.ReadAll(ds)
	if err != nil {
		return Returned{Err: err}, nil
	}
	return done(bson.RawValue{Type: bson.TypeBinary, Value: bsonBinary(data)}, matchers.Nested, nil)
}

// bsonBinary is the value of a BSON binary of the generic subtype.
func bsonBinary(data []byte) []byte {
	_, raw, err := bson.MarshalValue(bson.Binary{Subtype: bson.TypeBinaryGeneric, Data: data})
	if err != nil {
		panic(err)
	}
	return raw
}

func bucketDelete(ctx context.Context, c *Call, b *entities.Bucket) (Returned, error) {
	var id any
	err := c.parse(fields{
		"id": rawValue(&id),
	}, "id")
	if err != nil {
		return Returned{}, err
	}
	return done(bson.RawValue{}, 0, b.Bucket.Delete(ctx, id))
}

// bucketDeleteByName follows the GridFS spec's delete_by_name: find the ids of the
// files with the name (none is an error), delete those files documents, then their
// chunks.
func bucketDeleteByName(ctx context.Context, c *Call, b *entities.Bucket) (Returned, error) {
	var filename string
	err := c.parse(fields{
		"filename": stringVar(&filename),
	}, "filename")
	if err != nil {
		return Returned{}, err
	}
	return done(bson.RawValue{}, 0, deleteByName(ctx, b.Bucket, filename))
}

func deleteByName(ctx context.Context, b *mongo.GridFSBucket, filename string) error {
	files := b.GetFilesCollection()
	cur, err := files.Find(ctx, bson.D{{Key: "filename", Value: filename}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return err
	}
	var found []struct {
		ID bson.RawValue `bson:"_id"`
	}
	if err := cur.All(ctx, &found); err != nil {
		return err
	}
	if len(found) == 0 {
		return fmt.Errorf("deleteByName %q: %w", filename, mongo.ErrFileNotFound)
	}
	ids := make(bson.A, len(found))
	for i, f := range found {
		ids[i] = f.ID
	}
	if _, err := files.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}); err != nil {
		return err
	}
	_, err = b.GetChunksCollection().DeleteMany(ctx, bson.D{{Key: "files_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	return err
}

func bucketRename(ctx context.Context, c *Call, b *entities.Bucket) (Returned, error) {
	var (
		id          any
		newFilename string
	)
	err := c.parse(fields{
		"id":          rawValue(&id),
		"newFilename": stringVar(&newFilename),
	}, "id", "newFilename")
	if err != nil {
		return Returned{}, err
	}
	return done(bson.RawValue{}, 0, b.Bucket.Rename(ctx, id, newFilename))
}

// bucketRenameByName follows the GridFS spec's rename_by_name: one update_many on the
// files collection; no file with the name is an error.
func bucketRenameByName(ctx context.Context, c *Call, b *entities.Bucket) (Returned, error) {
	var filename, newFilename string
	err := c.parse(fields{
		"filename":    stringVar(&filename),
		"newFilename": stringVar(&newFilename),
	}, "filename", "newFilename")
	if err != nil {
		return Returned{}, err
	}
	res, err := b.Bucket.GetFilesCollection().UpdateMany(ctx,
		bson.D{{Key: "filename", Value: filename}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "filename", Value: newFilename}}}})
	if err == nil && res.MatchedCount == 0 {
		err = fmt.Errorf("renameByName %q: %w", filename, mongo.ErrFileNotFound)
	}
	return done(bson.RawValue{}, 0, err)
}

func bucketDrop(ctx context.Context, c *Call, b *entities.Bucket) (Returned, error) {
	if err := c.parse(fields{}); err != nil {
		return Returned{}, err
	}
	return done(bson.RawValue{}, 0, b.Bucket.Drop(ctx))
}

// bucketFind finds files collection documents (GridFSFindOptions) and returns them all.
func bucketFind(ctx context.Context, c *Call, b *entities.Bucket) (Returned, error) {
	var filter bson.Raw
	o := options.GridFSFind()
	err := c.parse(fields{
		"filter":          into(&filter),
		"allowDiskUse":    boolean(o.SetAllowDiskUse),
		"batchSize":       int32Arg(o.SetBatchSize),
		"limit":           int32Arg(o.SetLimit),
		"maxTimeMS":       collNoOption("find on a bucket", "maxTimeMS", "GridFSFindOptions"),
		"noCursorTimeout": boolean(o.SetNoCursorTimeout),
		"skip":            int32Arg(o.SetSkip),
		"sort":            document(o.SetSort),
	}, "filter")
	if err != nil {
		return Returned{}, err
	}
	cur, err := b.Bucket.Find(ctx, filter, o)
	return drain(ctx, cur, err)
}

// gridFSErrors maps the error kinds of the legacy GridFS tests onto the Go driver's
// errors. The driver has one error for a file it cannot find, whatever the parameters
// ("file with given parameters not found"): a missing revision is reported with it.
var gridFSErrors = map[string]error{
	"FileNotFound":     mongo.ErrFileNotFound,
	"RevisionNotFound": mongo.ErrFileNotFound,
	"ChunkIsMissing":   mongo.ErrMissingChunk,
	"ChunkIsWrongSize": mongo.ErrWrongSize,
}

// IsGridFSError reports whether err is the GridFS error of the kind named.
func IsGridFSError(err error, kind string) bool {
	want, ok := gridFSErrors[kind]
	return ok && errors.Is(err, want)
}
