// The parts of @cornerstonejs/tools the viewer uses, in a chunk of their own (build.mjs splits the
// bundle): viewer.js imports this module only after the first image is drawn, so that the first
// image needs only Cornerstone's core and the DICOM image loader.
export {
  AngleTool,
  ArrowAnnotateTool,
  Enums,
  LengthTool,
  PanTool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  addTool,
  annotation,
  init,
  store,
  utilities,
} from "@cornerstonejs/tools";
