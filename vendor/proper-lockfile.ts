// Bundled into one file by vendor/bundle.ts at build: only the names listed here exist at run time.
export {lock} from 'proper-lockfile'
